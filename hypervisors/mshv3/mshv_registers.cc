#include "mshv_registers.h"

#include <cstring>

#include "vmbench/x86/hyperv_x64.h"

namespace vmbench::mshv {
namespace {

// The members of GeneralRegisters in the order of kGeneralRegisterNames.
constexpr std::array<std::uint64_t GeneralRegisters::*, kGeneralRegisterNames.size()>
    kGeneralMembers = {&GeneralRegisters::rax, &GeneralRegisters::rbx, &GeneralRegisters::rcx,
                       &GeneralRegisters::rdx, &GeneralRegisters::rsi, &GeneralRegisters::rdi,
                       &GeneralRegisters::rsp, &GeneralRegisters::rbp, &GeneralRegisters::r8,
                       &GeneralRegisters::r9,  &GeneralRegisters::r10, &GeneralRegisters::r11,
                       &GeneralRegisters::r12, &GeneralRegisters::r13, &GeneralRegisters::r14,
                       &GeneralRegisters::r15, &GeneralRegisters::rip, &GeneralRegisters::rflags};

// The segments of SpecialRegisters in the order of kSpecialRegisterNames (CS .. LDTR).
constexpr std::array<Segment SpecialRegisters::*, 8> kSegmentMembers = {
    &SpecialRegisters::cs, &SpecialRegisters::ds, &SpecialRegisters::es, &SpecialRegisters::fs,
    &SpecialRegisters::gs, &SpecialRegisters::ss, &SpecialRegisters::tr, &SpecialRegisters::ldt};
// Then GDTR and IDTR, then the 64-bit registers.
constexpr std::array<DescriptorTable SpecialRegisters::*, 2> kTableMembers = {
    &SpecialRegisters::gdt, &SpecialRegisters::idt};
constexpr std::array<std::uint64_t SpecialRegisters::*, 7> kControlMembers = {
    &SpecialRegisters::cr0,      &SpecialRegisters::cr2, &SpecialRegisters::cr3,
    &SpecialRegisters::cr4,      &SpecialRegisters::cr8, &SpecialRegisters::efer,
    &SpecialRegisters::apic_base};
static_assert(kSegmentMembers.size() + kTableMembers.size() + kControlMembers.size() ==
              kSpecialRegisterNames.size());

// The register page's gp_registers are in the hypervisor's order (RAX, RCX, RDX, RBX, RSP, RBP,
// RSI, RDI, R8-R15), which is the order of the register names RAX..R15.
constexpr std::size_t PageIndex(std::uint32_t name) { return name - kRax; }

RegisterValue TableToValue(const DescriptorTable& table) {
  TableRegister reg{};
  reg.limit = table.limit;
  reg.base = table.base;
  RegisterValue value{};
  std::memcpy(&value, &reg, sizeof(value));
  return value;
}

DescriptorTable TableFromValue(const RegisterValue& value) {
  TableRegister reg{};
  std::memcpy(&reg, &value, sizeof(reg));
  return DescriptorTable{reg.base, reg.limit};
}

}  // namespace

RegisterValue SegmentToValue(const Segment& segment) {
  const SegmentRegister reg{.base = segment.base,
                            .limit = segment.limit,
                            .selector = segment.selector,
                            .attributes = x86::HyperVSegmentAttributes(segment)};
  RegisterValue value{};
  std::memcpy(&value, &reg, sizeof(value));
  return value;
}

Segment SegmentFromValue(const RegisterValue& value) {
  SegmentRegister reg{};
  std::memcpy(&reg, &value, sizeof(reg));
  return x86::SegmentFromHyperV(reg.base, reg.limit, reg.selector, reg.attributes);
}

GeneralRegisters GeneralFromValues(
    std::span<const RegisterValue, kGeneralRegisterNames.size()> values) {
  GeneralRegisters regs;
  for (std::size_t i = 0; i < kGeneralMembers.size(); ++i) regs.*kGeneralMembers[i] = values[i].low;
  return regs;
}

std::array<RegisterValue, kGeneralRegisterNames.size()> GeneralToValues(
    const GeneralRegisters& regs) {
  std::array<RegisterValue, kGeneralRegisterNames.size()> values{};
  for (std::size_t i = 0; i < kGeneralMembers.size(); ++i) values[i].low = regs.*kGeneralMembers[i];
  return values;
}

SpecialRegisters SpecialFromValues(
    std::span<const RegisterValue, kSpecialRegisterNames.size()> values) {
  SpecialRegisters sregs;
  std::size_t i = 0;
  for (Segment SpecialRegisters::*member : kSegmentMembers) {
    sregs.*member = SegmentFromValue(values[i++]);
  }
  for (DescriptorTable SpecialRegisters::*member : kTableMembers) {
    sregs.*member = TableFromValue(values[i++]);
  }
  for (std::uint64_t SpecialRegisters::*member : kControlMembers) sregs.*member = values[i++].low;
  return sregs;
}

std::array<RegisterValue, kSpecialRegisterNames.size()> SpecialToValues(
    const SpecialRegisters& sregs) {
  std::array<RegisterValue, kSpecialRegisterNames.size()> values{};
  std::size_t i = 0;
  for (Segment SpecialRegisters::*member : kSegmentMembers) {
    values[i++] = SegmentToValue(sregs.*member);
  }
  for (DescriptorTable SpecialRegisters::*member : kTableMembers) {
    values[i++] = TableToValue(sregs.*member);
  }
  for (std::uint64_t SpecialRegisters::*member : kControlMembers) values[i++].low = sregs.*member;
  return values;
}

GeneralRegisters GeneralFromPage(const RegisterPage& page) {
  GeneralRegisters regs;
  for (std::size_t i = 0; i < kGeneralMembers.size(); ++i) {
    const std::uint32_t name = kGeneralRegisterNames[i];
    if (name == kRip) {
      regs.rip = page.rip;
    } else if (name == kRflags) {
      regs.rflags = page.rflags;
    } else {
      regs.*kGeneralMembers[i] = page.gp_registers[PageIndex(name)];
    }
  }
  return regs;
}

void WriteGeneralToPage(const GeneralRegisters& regs, RegisterPage& page) {
  for (std::size_t i = 0; i < kGeneralMembers.size(); ++i) {
    const std::uint32_t name = kGeneralRegisterNames[i];
    if (name != kRip && name != kRflags) {
      page.gp_registers[PageIndex(name)] = regs.*kGeneralMembers[i];
    }
  }
  page.rip = regs.rip;
  page.rflags = regs.rflags;
  page.dirty |=
      (1u << kRegisterClassGeneral) | (1u << kRegisterClassIp) | (1u << kRegisterClassFlags);
}

void WriteRipToPage(std::uint64_t rip, RegisterPage& page) {
  page.rip = rip;
  page.dirty |= 1u << kRegisterClassIp;
}

}  // namespace vmbench::mshv
