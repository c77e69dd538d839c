#include "whp_registers.h"

#include <cstdint>

#include "vmbench/x86/hyperv_x64.h"

namespace vmbench::whp {
namespace {

// The GeneralRegisters fields in the order of kGeneralRegisterNames.
constexpr std::array<std::uint64_t GeneralRegisters::*, kGeneralRegisterNames.size()>
    kGeneralFields = {&GeneralRegisters::rax, &GeneralRegisters::rbx, &GeneralRegisters::rcx,
                      &GeneralRegisters::rdx, &GeneralRegisters::rsi, &GeneralRegisters::rdi,
                      &GeneralRegisters::rsp, &GeneralRegisters::rbp, &GeneralRegisters::r8,
                      &GeneralRegisters::r9,  &GeneralRegisters::r10, &GeneralRegisters::r11,
                      &GeneralRegisters::r12, &GeneralRegisters::r13, &GeneralRegisters::r14,
                      &GeneralRegisters::r15, &GeneralRegisters::rip, &GeneralRegisters::rflags};

// Indices into kSpecialRegisterNames.
enum SpecialIndex : std::size_t {
  kCs,
  kDs,
  kEs,
  kFs,
  kGs,
  kSs,
  kTr,
  kLdtr,
  kGdtr,
  kIdtr,
  kCr0,
  kCr2,
  kCr3,
  kCr4,
  kCr8,
  kEfer,
  kApicBase,
};
static_assert(kApicBase == kApicBaseIndex);
static_assert(kSpecialRegisterNames[kCs] == WHvX64RegisterCs);
static_assert(kSpecialRegisterNames[kLdtr] == WHvX64RegisterLdtr);
static_assert(kSpecialRegisterNames[kGdtr] == WHvX64RegisterGdtr);
static_assert(kSpecialRegisterNames[kCr0] == WHvX64RegisterCr0);
static_assert(kSpecialRegisterNames[kEfer] == WHvX64RegisterEfer);

// The Segment fields of SpecialRegisters, at indices kCs to kLdtr.
constexpr std::array<Segment SpecialRegisters::*, 8> kSegmentFields = {
    &SpecialRegisters::cs, &SpecialRegisters::ds, &SpecialRegisters::es, &SpecialRegisters::fs,
    &SpecialRegisters::gs, &SpecialRegisters::ss, &SpecialRegisters::tr, &SpecialRegisters::ldt};

WHV_X64_TABLE_REGISTER TableToWhp(const DescriptorTable& table) {
  WHV_X64_TABLE_REGISTER whp{};
  whp.Base = table.base;
  whp.Limit = table.limit;
  return whp;
}

DescriptorTable TableFromWhp(const WHV_X64_TABLE_REGISTER& whp) {
  return DescriptorTable{.base = whp.Base, .limit = whp.Limit};
}

}  // namespace

WHV_X64_SEGMENT_REGISTER ToWhp(const Segment& segment) {
  WHV_X64_SEGMENT_REGISTER whp{};
  whp.Base = segment.base;
  whp.Limit = segment.limit;
  whp.Selector = segment.selector;
  whp.Attributes = x86::HyperVSegmentAttributes(segment);
  return whp;
}

Segment FromWhp(const WHV_X64_SEGMENT_REGISTER& segment) {
  return x86::SegmentFromHyperV(segment.Base, segment.Limit, segment.Selector, segment.Attributes);
}

GeneralRegisterValues ToWhp(const GeneralRegisters& regs) {
  GeneralRegisterValues values{};
  for (std::size_t i = 0; i < kGeneralFields.size(); ++i) values[i].Reg64 = regs.*kGeneralFields[i];
  return values;
}

GeneralRegisters FromWhp(const GeneralRegisterValues& values) {
  GeneralRegisters regs;
  for (std::size_t i = 0; i < kGeneralFields.size(); ++i) regs.*kGeneralFields[i] = values[i].Reg64;
  return regs;
}

SpecialRegisterValues ToWhp(const SpecialRegisters& sregs) {
  SpecialRegisterValues values{};
  for (std::size_t i = 0; i < kSegmentFields.size(); ++i) {
    values[kCs + i].Segment = ToWhp(sregs.*kSegmentFields[i]);
  }
  values[kGdtr].Table = TableToWhp(sregs.gdt);
  values[kIdtr].Table = TableToWhp(sregs.idt);
  values[kCr0].Reg64 = sregs.cr0;
  values[kCr2].Reg64 = sregs.cr2;
  values[kCr3].Reg64 = sregs.cr3;
  values[kCr4].Reg64 = sregs.cr4;
  values[kCr8].Reg64 = sregs.cr8;
  values[kEfer].Reg64 = sregs.efer;
  values[kApicBase].Reg64 = sregs.apic_base;
  return values;
}

SpecialRegisters FromWhp(const SpecialRegisterValues& values) {
  SpecialRegisters sregs;
  for (std::size_t i = 0; i < kSegmentFields.size(); ++i) {
    sregs.*kSegmentFields[i] = FromWhp(values[kCs + i].Segment);
  }
  sregs.gdt = TableFromWhp(values[kGdtr].Table);
  sregs.idt = TableFromWhp(values[kIdtr].Table);
  sregs.cr0 = values[kCr0].Reg64;
  sregs.cr2 = values[kCr2].Reg64;
  sregs.cr3 = values[kCr3].Reg64;
  sregs.cr4 = values[kCr4].Reg64;
  sregs.cr8 = values[kCr8].Reg64;
  sregs.efer = values[kEfer].Reg64;
  sregs.apic_base = values[kApicBase].Reg64;
  return sregs;
}

}  // namespace vmbench::whp
