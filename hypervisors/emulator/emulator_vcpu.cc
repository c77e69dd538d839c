#include "emulator_vcpu.h"

#include <array>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "emulator_vm.h"
#include "vmbench/plugin/status_macros.h"
#include "vmbench/x86/x86_long_mode.h"

namespace vmbench::emulator {
namespace {

// Unicorn's descriptor flags (QEMU's SegmentCache.flags) are the high dword of a segment
// descriptor: type in bits 8-11, then S, DPL (2 bits), P, and AVL, L, D/B, G in bits 20-23.
Segment SegmentFromUnicorn(const uc_x86_mmr& mmr) {
  Segment segment;
  segment.base = mmr.base;
  segment.limit = mmr.limit;
  segment.selector = mmr.selector;
  segment.type = static_cast<std::uint8_t>(mmr.flags >> 8 & 0xF);
  segment.s = (mmr.flags >> 12 & 1) != 0;
  segment.dpl = static_cast<std::uint8_t>(mmr.flags >> 13 & 3);
  segment.present = (mmr.flags >> 15 & 1) != 0;
  segment.l = (mmr.flags >> 21 & 1) != 0;
  segment.db = (mmr.flags >> 22 & 1) != 0;
  segment.g = (mmr.flags >> 23 & 1) != 0;
  return segment;
}

uc_x86_mmr SegmentToUnicorn(const Segment& segment) {
  uc_x86_mmr mmr{};
  mmr.base = segment.base;
  mmr.limit = segment.limit;
  mmr.selector = segment.selector;
  mmr.flags = std::uint32_t{segment.type & 0xFu} << 8 | std::uint32_t{segment.s} << 12 |
              std::uint32_t{segment.dpl & 3u} << 13 | std::uint32_t{segment.present} << 15 |
              std::uint32_t{segment.l} << 21 | std::uint32_t{segment.db} << 22 |
              std::uint32_t{segment.g} << 23;
  return mmr;
}

uc_x86_mmr TableToUnicorn(const DescriptorTable& table) {
  uc_x86_mmr mmr{};
  mmr.base = table.base;
  mmr.limit = table.limit;
  return mmr;
}

DescriptorTable TableFromUnicorn(const uc_x86_mmr& mmr) {
  return DescriptorTable{mmr.base, static_cast<std::uint16_t>(mmr.limit)};
}

std::string ExceptionName(std::uint32_t vector) {
  static constexpr std::array<const char*, 22> kNames = {"#DE (divide error)",
                                                         "#DB (debug)",
                                                         "NMI",
                                                         "#BP (breakpoint)",
                                                         "#OF (overflow)",
                                                         "#BR (bound range exceeded)",
                                                         "#UD (invalid opcode)",
                                                         "#NM (device not available)",
                                                         "#DF (double fault)",
                                                         "coprocessor segment overrun",
                                                         "#TS (invalid TSS)",
                                                         "#NP (segment not present)",
                                                         "#SS (stack fault)",
                                                         "#GP (general protection)",
                                                         "#PF (page fault)",
                                                         "reserved exception 15",
                                                         "#MF (x87 floating point)",
                                                         "#AC (alignment check)",
                                                         "#MC (machine check)",
                                                         "#XM (SIMD floating point)",
                                                         "#VE (virtualization)",
                                                         "#CP (control protection)"};
  if (vector < kNames.size()) return kNames[vector];
  return absl::StrCat("interrupt ", vector);
}

// The general registers, in the order both register functions list their fields.
constexpr std::array<int, 18> kGeneralRegisterIds = {
    UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX,   UC_X86_REG_RDX, UC_X86_REG_RSI,
    UC_X86_REG_RDI, UC_X86_REG_RSP, UC_X86_REG_RBP,   UC_X86_REG_R8,  UC_X86_REG_R9,
    UC_X86_REG_R10, UC_X86_REG_R11, UC_X86_REG_R12,   UC_X86_REG_R13, UC_X86_REG_R14,
    UC_X86_REG_R15, UC_X86_REG_RIP, UC_X86_REG_RFLAGS};

std::string AtRip(std::uint64_t rip) { return absl::StrCat(" at rip 0x", absl::Hex(rip)); }

// Unicorn's 64-bit CPU starts (uc_open in UC_MODE_64) running 64-bit code: that is the code
// segment it reports until told otherwise. Its data segments are null, which 64-bit mode allows.
Segment InitialCodeSegment() {
  Segment cs;
  cs.limit = 0xFFFFFFFF;
  cs.type = 0xB;
  cs.present = true;
  cs.s = true;
  cs.l = true;
  cs.g = true;
  return cs;
}

}  // namespace

EmulatorVcpu::EmulatorVcpu(EmulatorVm& vm)
    : vm_(vm), engine_(vm.engine()), cs_(InitialCodeSegment()) {}

EmulatorVcpu::~EmulatorVcpu() { vm_.ReleaseVcpu(); }

absl::StatusOr<GeneralRegisters> EmulatorVcpu::GetGeneralRegisters() noexcept {
  GeneralRegisters regs;
  std::array<int, 18> ids = kGeneralRegisterIds;  // the API takes a non-const pointer
  std::array<void*, 18> values = {&regs.rax, &regs.rbx, &regs.rcx,   &regs.rdx, &regs.rsi,
                                  &regs.rdi, &regs.rsp, &regs.rbp,   &regs.r8,  &regs.r9,
                                  &regs.r10, &regs.r11, &regs.r12,   &regs.r13, &regs.r14,
                                  &regs.r15, &regs.rip, &regs.rflags};
  if (const uc_err err =
          uc_reg_read_batch(engine_.uc(), ids.data(), values.data(), static_cast<int>(ids.size()));
      err != UC_ERR_OK) {
    return UnicornError("GetGeneralRegisters: uc_reg_read_batch", err);
  }
  return regs;
}

absl::Status EmulatorVcpu::SetGeneralRegisters(const GeneralRegisters& regs) noexcept {
  std::array<int, 18> ids = kGeneralRegisterIds;  // the API takes a non-const pointer
  std::array<const void*, 18> values = {&regs.rax, &regs.rbx, &regs.rcx,   &regs.rdx, &regs.rsi,
                                        &regs.rdi, &regs.rsp, &regs.rbp,   &regs.r8,  &regs.r9,
                                        &regs.r10, &regs.r11, &regs.r12,   &regs.r13, &regs.r14,
                                        &regs.r15, &regs.rip, &regs.rflags};
  // uc_reg_write_batch takes `void* const*` but only reads through it.
  if (const uc_err err =
          uc_reg_write_batch(engine_.uc(), ids.data(), const_cast<void* const*>(values.data()),
                             static_cast<int>(ids.size()));
      err != UC_ERR_OK) {
    return UnicornError("SetGeneralRegisters: uc_reg_write_batch", err);
  }
  return absl::OkStatus();
}

absl::StatusOr<SpecialRegisters> EmulatorVcpu::GetSpecialRegisters() noexcept {
  SpecialRegisters sregs;
  uc_x86_msr efer{x86::kMsrEfer, 0};
  uc_x86_mmr gdtr{}, idtr{}, tr{}, ldtr{};
  std::uint16_t cs = 0, ds = 0, es = 0, fs = 0, gs = 0, ss = 0;
  std::uint64_t fs_base = 0, gs_base = 0;
  std::array<int, 17> ids = {
      UC_X86_REG_CR0,     UC_X86_REG_CR2,    UC_X86_REG_CR3, UC_X86_REG_CR4,  UC_X86_REG_MSR,
      UC_X86_REG_GDTR,    UC_X86_REG_IDTR,   UC_X86_REG_TR,  UC_X86_REG_LDTR, UC_X86_REG_CS,
      UC_X86_REG_DS,      UC_X86_REG_ES,     UC_X86_REG_FS,  UC_X86_REG_GS,   UC_X86_REG_SS,
      UC_X86_REG_FS_BASE, UC_X86_REG_GS_BASE};
  std::array<void*, 17> values = {&sregs.cr0, &sregs.cr2, &sregs.cr3, &sregs.cr4, &efer,   &gdtr,
                                  &idtr,      &tr,        &ldtr,      &cs,        &ds,     &es,
                                  &fs,        &gs,        &ss,        &fs_base,   &gs_base};
  if (const uc_err err =
          uc_reg_read_batch(engine_.uc(), ids.data(), values.data(), static_cast<int>(ids.size()));
      err != UC_ERR_OK) {
    return UnicornError("GetSpecialRegisters: uc_reg_read_batch", err);
  }
  sregs.efer = efer.value;
  sregs.gdt = TableFromUnicorn(gdtr);
  sregs.idt = TableFromUnicorn(idtr);
  sregs.tr = SegmentFromUnicorn(tr);
  sregs.ldt = SegmentFromUnicorn(ldtr);
  sregs.cs = cs_;
  sregs.cs.selector = cs;
  sregs.ds = ds_;
  sregs.ds.selector = ds;
  sregs.es = es_;
  sregs.es.selector = es;
  sregs.fs = fs_;
  sregs.fs.selector = fs;
  sregs.fs.base = fs_base;
  sregs.gs = gs_;
  sregs.gs.selector = gs;
  sregs.gs.base = gs_base;
  sregs.ss = ss_;
  sregs.ss.selector = ss;
  sregs.cr8 = cr8_;
  sregs.apic_base = apic_base_;
  return sregs;
}

absl::Status EmulatorVcpu::SetSpecialRegisters(const SpecialRegisters& sregs) noexcept {
  if (!sregs.cs.l) {
    return absl::InvalidArgumentError(
        "emulator: SetSpecialRegisters: CS.L is 0, but the emulator runs only 64-bit code "
        "(Unicorn's UC_MODE_64)");
  }
  constexpr std::uint64_t kSupportedEfer = x86::kEferLongModeEnable | x86::kEferLongModeActive;
  if ((sregs.efer & x86::kEferLongModeActive) == 0 || (sregs.efer & ~kSupportedEfer) != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "emulator: SetSpecialRegisters: EFER 0x", absl::Hex(sregs.efer),
        " is not supported: LMA must be set, and LME is the only other bit Unicorn 2.0.1 keeps "
        "(its CPU model has no SYSCALL or NX)"));
  }
  VMB_ASSIGN_OR_RETURN(const SpecialRegisters before, GetSpecialRegisters());

  std::uint64_t cr0 = sregs.cr0, cr2 = sregs.cr2, cr3 = sregs.cr3, cr4 = sregs.cr4;
  uc_x86_msr efer{x86::kMsrEfer, sregs.efer};
  uc_x86_mmr gdtr = TableToUnicorn(sregs.gdt), idtr = TableToUnicorn(sregs.idt);
  uc_x86_mmr tr = SegmentToUnicorn(sregs.tr), ldtr = SegmentToUnicorn(sregs.ldt);
  std::uint16_t cs = sregs.cs.selector, ds = sregs.ds.selector, es = sregs.es.selector,
                ss = sregs.ss.selector;
  std::uint64_t fs_base = sregs.fs.base, gs_base = sregs.gs.base;
  // In this order: CR3, CR4 (PAE) and EFER (LME) before CR0 (PG) turns paging on. Unicorn 2.0.1
  // stores the control registers as given; its page walker reads them on every TLB miss. The
  // CS, DS, ES and SS selectors are stored as given too, but writing FS or GS would load a
  // descriptor from the guest's GDT, so only their bases are written.
  std::array<int, 15> ids = {UC_X86_REG_CR3,  UC_X86_REG_CR4,     UC_X86_REG_MSR,    UC_X86_REG_CR0,
                             UC_X86_REG_CR2,  UC_X86_REG_GDTR,    UC_X86_REG_IDTR,   UC_X86_REG_TR,
                             UC_X86_REG_LDTR, UC_X86_REG_CS,      UC_X86_REG_DS,     UC_X86_REG_ES,
                             UC_X86_REG_SS,   UC_X86_REG_FS_BASE, UC_X86_REG_GS_BASE};
  std::array<void*, 15> values = {&cr3,  &cr4, &efer, &cr0, &cr2, &gdtr,    &idtr,   &tr,
                                  &ldtr, &cs,  &ds,   &es,  &ss,  &fs_base, &gs_base};
  if (const uc_err err =
          uc_reg_write_batch(engine_.uc(), ids.data(), values.data(), static_cast<int>(ids.size()));
      err != UC_ERR_OK) {
    return UnicornError("SetSpecialRegisters: uc_reg_write_batch", err);
  }
  cs_ = sregs.cs;
  ds_ = sregs.ds;
  es_ = sregs.es;
  fs_ = sregs.fs;
  gs_ = sregs.gs;
  ss_ = sregs.ss;
  cr8_ = sregs.cr8;
  apic_base_ = sregs.apic_base;

  // The TLB holds translations made under the old paging state; hardware drops them when CR3 is
  // loaded, Unicorn 2.0.1 does not.
  if (before.cr0 != sregs.cr0 || before.cr3 != sregs.cr3 || before.cr4 != sregs.cr4 ||
      before.efer != sregs.efer) {
    return vm_.FlushTlb();
  }
  return absl::OkStatus();
}

absl::StatusOr<VcpuExit> EmulatorVcpu::Run() noexcept {
  // Consumes a pending interrupt without entering Unicorn (see Interrupt in the header).
  if (engine_.interrupt.load(std::memory_order_relaxed) &&
      engine_.interrupt.exchange(false, std::memory_order_relaxed)) {
    return CancelledExit{};
  }
  std::uint64_t rip = 0;
  if (const uc_err err = uc_reg_read(engine_.uc(), UC_X86_REG_RIP, &rip); err != UC_ERR_OK) {
    return UnicornError("Run: uc_reg_read(RIP)", err);
  }
  engine_.event = HookEvent{};
  // No `until` (ignored: see Engine::Create), no timeout, no instruction count: the run ends
  // when a hook stops it, on HLT, or on an error.
  const uc_err err = uc_emu_start(engine_.uc(), rip, 0, 0, 0);
  if (const uc_err read = uc_reg_read(engine_.uc(), UC_X86_REG_RIP, &rip); read != UC_ERR_OK) {
    return UnicornError("Run: uc_reg_read(RIP)", read);
  }
  return ExitFromEvent(err, rip);
}

VcpuExit EmulatorVcpu::ExitFromEvent(uc_err err, std::uint64_t rip) {
  const HookEvent& event = engine_.event;
  switch (event.kind) {
    case HookEvent::Kind::kIoOut:
      return IoOutExit{.port = event.port, .size = event.size, .value = event.io_value};
    case HookEvent::Kind::kCancelled:
      return CancelledExit{};
    case HookEvent::Kind::kIoIn:
      return FaultExit{
          .kind = FaultExit::Kind::kInternalError,
          .rip = event.rip,
          .detail = absl::StrCat("emulator: the guest executed IN from port 0x",
                                 absl::Hex(event.port), " (", event.size, " bytes)",
                                 AtRip(event.rip), ", and port input is not supported")};
    case HookEvent::Kind::kMemory: {
      if (event.memory_type == UC_MEM_FETCH_UNMAPPED) {
        return FaultExit{.kind = FaultExit::Kind::kInternalError,
                         .rip = event.address,
                         .detail = absl::StrCat(
                             "emulator: instruction fetch from unmapped guest-physical address 0x",
                             absl::Hex(event.address))};
      }
      const bool is_write =
          event.memory_type == UC_MEM_WRITE_UNMAPPED || event.memory_type == UC_MEM_WRITE_PROT;
      return MmioExit{.gpa = event.address,
                      .size = event.size,
                      .is_write = is_write,
                      .value = is_write ? event.memory_value : 0};
    }
    case HookEvent::Kind::kException: {
      if (event.vector > 0xFF) {
        return FaultExit{.kind = FaultExit::Kind::kInternalError,
                         .rip = event.rip,
                         .detail = absl::StrCat("emulator: Unicorn raised internal event 0x",
                                                absl::Hex(event.vector), AtRip(event.rip))};
      }
      std::string detail =
          absl::StrCat("emulator: guest exception ", ExceptionName(event.vector), AtRip(event.rip));
      if (event.vector == 14) {
        std::uint64_t cr2 = 0;
        uc_reg_read(engine_.uc(), UC_X86_REG_CR2, &cr2);
        absl::StrAppend(&detail, ", address 0x", absl::Hex(cr2));
      }
      return FaultExit{.kind = FaultExit::Kind::kException,
                       .vector = static_cast<std::uint8_t>(event.vector),
                       .rip = event.rip,
                       .detail = std::move(detail)};
    }
    case HookEvent::Kind::kNone:
      break;
  }
  if (err == UC_ERR_OK) {
    // Nothing else ends a run without an event, but a HLT is confirmed rather than assumed.
    std::uint8_t previous = 0;
    if (rip > 0 && uc_mem_read(engine_.uc(), rip - 1, &previous, 1) == UC_ERR_OK &&
        previous == 0xF4) {
      return HaltExit{};
    }
    return FaultExit{.kind = FaultExit::Kind::kInternalError,
                     .rip = rip,
                     .detail = absl::StrCat("emulator: the run ended without an exit reason",
                                            AtRip(rip), " (not after a HLT)")};
  }
  if (err == UC_ERR_INSN_INVALID) {
    // Unicorn turns #UD into this error instead of calling the interrupt hook; RIP is at the
    // instruction, as for any fault.
    return FaultExit{
        .kind = FaultExit::Kind::kException,
        .vector = 6,
        .rip = rip,
        .detail = absl::StrCat("emulator: guest exception ", ExceptionName(6), AtRip(rip))};
  }
  return FaultExit{
      .kind = FaultExit::Kind::kInternalError,
      .rip = rip,
      .detail = absl::StrCat("emulator: uc_emu_start failed: ", uc_strerror(err), AtRip(rip))};
}

void EmulatorVcpu::Interrupt() noexcept {
  engine_.interrupt.store(true, std::memory_order_relaxed);
}

void EmulatorVcpu::ClearInterrupt() noexcept {
  engine_.interrupt.store(false, std::memory_order_relaxed);
}

}  // namespace vmbench::emulator
