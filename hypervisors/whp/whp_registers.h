// The whp backend's Windows layer: vmbench's neutral registers as WHP register names and values.
//
// WHvGet/SetVirtualProcessorRegisters take parallel arrays of WHV_REGISTER_NAME and
// WHV_REGISTER_VALUE (a 16-byte, 16-aligned union). The names here are those of
// <winhvplatformdefs.h> (Rax 0x0 ... Rip 0x10, Rflags 0x11, segments 0x12-0x19, Idtr 0x1A,
// Gdtr 0x1B, Cr0 0x1C ... Cr8 0x20, Efer 0x2001, ApicBase 0x2003), which differ from MSHV's
// HV_X64_REGISTER_* numbers although both APIs reach the same hypervisor. Segment attributes are
// packed as in vmbench/x86/hyperv_x64.h.

#ifndef VMBENCH_HYPERVISORS_WHP_WHP_REGISTERS_H_
#define VMBENCH_HYPERVISORS_WHP_WHP_REGISTERS_H_

#include <windows.h>  // first: the WHP headers rely on its types
#include <winhvplatform.h>

#include <array>
#include <cstddef>

#include "vmbench/plugin/vcpu_types.h"

namespace vmbench::whp {

// RAX to R15, RIP, RFLAGS: the registers of GeneralRegisters, in this order.
inline constexpr std::array<WHV_REGISTER_NAME, 18> kGeneralRegisterNames = {
    WHvX64RegisterRax, WHvX64RegisterRbx,    WHvX64RegisterRcx, WHvX64RegisterRdx,
    WHvX64RegisterRsi, WHvX64RegisterRdi,    WHvX64RegisterRsp, WHvX64RegisterRbp,
    WHvX64RegisterR8,  WHvX64RegisterR9,     WHvX64RegisterR10, WHvX64RegisterR11,
    WHvX64RegisterR12, WHvX64RegisterR13,    WHvX64RegisterR14, WHvX64RegisterR15,
    WHvX64RegisterRip, WHvX64RegisterRflags,
};

// The registers of SpecialRegisters, in this order. The APIC base comes last, so that a write can
// leave it out by passing one register fewer (see WhpPartition::SetSpecialRegisters).
inline constexpr std::array<WHV_REGISTER_NAME, 17> kSpecialRegisterNames = {
    WHvX64RegisterCs,       WHvX64RegisterDs,   WHvX64RegisterEs,  WHvX64RegisterFs,
    WHvX64RegisterGs,       WHvX64RegisterSs,   WHvX64RegisterTr,  WHvX64RegisterLdtr,
    WHvX64RegisterGdtr,     WHvX64RegisterIdtr, WHvX64RegisterCr0, WHvX64RegisterCr2,
    WHvX64RegisterCr3,      WHvX64RegisterCr4,  WHvX64RegisterCr8, WHvX64RegisterEfer,
    WHvX64RegisterApicBase,
};
inline constexpr std::size_t kApicBaseIndex = kSpecialRegisterNames.size() - 1;

using GeneralRegisterValues = std::array<WHV_REGISTER_VALUE, kGeneralRegisterNames.size()>;
using SpecialRegisterValues = std::array<WHV_REGISTER_VALUE, kSpecialRegisterNames.size()>;

GeneralRegisterValues ToWhp(const GeneralRegisters& regs);
GeneralRegisters FromWhp(const GeneralRegisterValues& values);
SpecialRegisterValues ToWhp(const SpecialRegisters& sregs);
SpecialRegisters FromWhp(const SpecialRegisterValues& values);

// One segment register.
WHV_X64_SEGMENT_REGISTER ToWhp(const Segment& segment);
Segment FromWhp(const WHV_X64_SEGMENT_REGISTER& segment);

}  // namespace vmbench::whp

#endif  // VMBENCH_HYPERVISORS_WHP_WHP_REGISTERS_H_
