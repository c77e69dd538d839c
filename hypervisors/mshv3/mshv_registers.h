// Conversions between the neutral register types and MSHV's: register names and values of the
// GET/SET_VP_REGISTERS hypercalls, and the VP's register page. Pure functions, tested against
// hand-made values (tests/mshv3).

#ifndef VMBENCH_HYPERVISORS_MSHV3_MSHV_REGISTERS_H_
#define VMBENCH_HYPERVISORS_MSHV3_MSHV_REGISTERS_H_

#include <array>
#include <cstdint>
#include <span>

#include "mshv_abi.h"
#include "vmbench/plugin/vcpu_types.h"

namespace vmbench::mshv {

// The registers of GeneralRegisters, in the order of the Get/Set functions below.
inline constexpr std::array<std::uint32_t, 18> kGeneralRegisterNames = {
    kRax, kRbx, kRcx, kRdx, kRsi, kRdi, kRsp, kRbp, kR8,
    kR9,  kR10, kR11, kR12, kR13, kR14, kR15, kRip, kRflags};

// The registers of SpecialRegisters, in the order of the Get/Set functions below. One SET
// hypercall with all of them is enough to enter long mode (QEMU's and rust-vmm's set_sregs do the
// same).
inline constexpr std::array<std::uint32_t, 17> kSpecialRegisterNames = {
    kCs,   kDs,  kEs,  kFs,  kGs,  kSs,  kTr,   kLdtr,    kGdtr,
    kIdtr, kCr0, kCr2, kCr3, kCr4, kCr8, kEfer, kApicBase};

GeneralRegisters GeneralFromValues(
    std::span<const RegisterValue, kGeneralRegisterNames.size()> values);
std::array<RegisterValue, kGeneralRegisterNames.size()> GeneralToValues(
    const GeneralRegisters& regs);

SpecialRegisters SpecialFromValues(
    std::span<const RegisterValue, kSpecialRegisterNames.size()> values);
std::array<RegisterValue, kSpecialRegisterNames.size()> SpecialToValues(
    const SpecialRegisters& sregs);

RegisterValue SegmentToValue(const Segment& segment);
Segment SegmentFromValue(const RegisterValue& value);

// The general registers, RIP and RFLAGS as the register page holds them (valid only when the
// page's `isvalid` is set).
GeneralRegisters GeneralFromPage(const RegisterPage& page);
// Writes `regs` to the page and marks the general, IP and flags classes dirty, so the hypervisor
// loads them when the VP runs next.
void WriteGeneralToPage(const GeneralRegisters& regs, RegisterPage& page);
// Writes RIP alone (the IP class).
void WriteRipToPage(std::uint64_t rip, RegisterPage& page);

}  // namespace vmbench::mshv

#endif  // VMBENCH_HYPERVISORS_MSHV3_MSHV_REGISTERS_H_
