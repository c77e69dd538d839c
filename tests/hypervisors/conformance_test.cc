// Backend conformance: one test body per check, registered once for every in-tree backend, so a
// backend either behaves as the interface says (hypervisor.h) or the test names it. Backends that
// are not built or not available here are skipped visibly (see conformance_support.h).

#include <array>
#include <atomic>
#include <chrono>
#include <thread>

#include "conformance_support.h"

namespace vmbench::testing {
namespace {

using namespace std::chrono_literals;

// The guest's view of its own state: CR0 and EFER as it reads them, and a 64-bit register.
void LongModeEntry(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  TestGuest guest(hypervisor);
  Code code;
  code.MovRaxCr0().MovEdx(0x10).OutDxEax();
  code.MovEcx(x86::kMsrEfer).Rdmsr().MovEdx(0x11).OutDxEax();  // rdmsr clobbers EDX
  code.MovRax(0x1122334455667788).ShrRax(32).MovEdx(0x12).OutDxEax();
  code.Hlt();
  guest.Load(kCodeGpa, code);

  CheckOut(guest.Run(), 0x10, 4, 0x80010033);
  CheckOut(guest.Run(), 0x11, 4, 0x500);
  CheckOut(guest.Run(), 0x12, 4, 0x11223344);
  ExitAs<HaltExit>(guest.Run());

  const SpecialRegisters sregs = guest.SpecialRegs();
  CHECK(sregs.cr0 == x86::kLongModeCr0);
  CHECK(sregs.cr3 == VMB_PML4_GPA);
  CHECK((sregs.cr4 & x86::kCr4Pae) != 0);
  CHECK(sregs.efer == x86::kLongModeEfer);
  CHECK(sregs.cs.l);
}

// Each OUT exits with the operand masked to its size, RIP after the OUT, and running again
// resumes right there.
void OutSizes(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  TestGuest guest(hypervisor);
  Code code;
  code.MovEdx(0x3F8).MovEax(0xAABBCC41).OutDxAl();
  const std::size_t after_byte = code.Offset();
  code.MovEax(0xAABB1234).OutDxAx();
  const std::size_t after_word = code.Offset();
  code.MovEdx(0xE9).MovEax(0x12345678).OutDxEax();
  const std::size_t after_dword = code.Offset();
  code.Hlt();
  guest.Load(kCodeGpa, code);

  CheckOut(guest.Run(), 0x3F8, 1, 0x41);
  CHECK(guest.Rip() == kCodeGpa + after_byte);
  CheckOut(guest.Run(), 0x3F8, 2, 0x1234);
  CHECK(guest.Rip() == kCodeGpa + after_word);
  CheckOut(guest.Run(), 0xE9, 4, 0x12345678);
  CHECK(guest.Rip() == kCodeGpa + after_dword);
  ExitAs<HaltExit>(guest.Run());
}

// HLT exits with RIP after it, and running again continues there.
void Halt(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  TestGuest guest(hypervisor);
  Code code;
  code.Hlt().MovEdx(0x10).MovAl(7).OutDxAl().Hlt();
  guest.Load(kCodeGpa, code);

  ExitAs<HaltExit>(guest.Run());
  CHECK(guest.Rip() == kCodeGpa + 1);
  CheckOut(guest.Run(), 0x10, 1, 7);
  ExitAs<HaltExit>(guest.Run());
}

// Registers read back as written, and the guest sees them.
void RegisterRoundTrip(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  TestGuest guest(hypervisor);
  Code code;
  code.OutDxEax().Hlt();
  guest.Load(kCodeGpa, code);

  GeneralRegisters regs;
  regs.rax = 0x0102030405060708;
  regs.rbx = 0x1112131415161718;
  regs.rcx = 0x2122232425262728;
  regs.rdx = 0x77;  // the port of the OUT
  regs.rsi = 0x4142434445464748;
  regs.rdi = 0x5152535455565758;
  regs.rsp = 0x1FFF00;
  regs.rbp = 0x1FFF80;
  regs.r8 = 8;
  regs.r9 = 9;
  regs.r10 = 10;
  regs.r11 = 11;
  regs.r12 = 12;
  regs.r13 = 13;
  regs.r14 = 14;
  regs.r15 = 0xFFFFFFFFFFFFFFFF;
  regs.rip = kCodeGpa;
  regs.rflags = 0x2 | 0x1 | 0x4 | 0x40 | 0x80 | 0x800;  // reserved bit 1, CF, PF, ZF, SF, OF
  guest.SetRegisters(regs);
  const GeneralRegisters read = guest.Registers();
  CHECK(read.rax == regs.rax);
  CHECK(read.rbx == regs.rbx);
  CHECK(read.rcx == regs.rcx);
  CHECK(read.rdx == regs.rdx);
  CHECK(read.rsi == regs.rsi);
  CHECK(read.rdi == regs.rdi);
  CHECK(read.rsp == regs.rsp);
  CHECK(read.rbp == regs.rbp);
  CHECK(read.r8 == regs.r8);
  CHECK(read.r9 == regs.r9);
  CHECK(read.r10 == regs.r10);
  CHECK(read.r11 == regs.r11);
  CHECK(read.r12 == regs.r12);
  CHECK(read.r13 == regs.r13);
  CHECK(read.r14 == regs.r14);
  CHECK(read.r15 == regs.r15);
  CHECK(read.rip == regs.rip);
  CHECK(read.rflags == regs.rflags);

  SpecialRegisters sregs = guest.SpecialRegs();
  sregs.gdt = {0x9000, 0x17};
  sregs.idt = {0xA000, 0xFFF};
  sregs.cr2 = 0xDEAD000;
  sregs.fs.base = 0x123000;
  sregs.gs.base = 0x456000;
  sregs.tr.base = 0x8000;
  REQUIRE(guest.vcpu().SetSpecialRegisters(sregs).ToString() == "OK");
  const SpecialRegisters sread = guest.SpecialRegs();
  CHECK(sread.cr0 == sregs.cr0);
  CHECK(sread.cr2 == sregs.cr2);
  CHECK(sread.cr3 == sregs.cr3);
  CHECK(sread.cr4 == sregs.cr4);
  CHECK(sread.efer == sregs.efer);
  CHECK(sread.gdt.base == sregs.gdt.base);
  CHECK(sread.gdt.limit == sregs.gdt.limit);
  CHECK(sread.idt.base == sregs.idt.base);
  CHECK(sread.idt.limit == sregs.idt.limit);
  CHECK(sread.fs.base == sregs.fs.base);
  CHECK(sread.gs.base == sregs.gs.base);
  CHECK(sread.cs.selector == x86::kCodeSelector);
  CHECK(sread.cs.l);
  CHECK(sread.ss.selector == x86::kDataSelector);
  CHECK(sread.tr.base == 0x8000);
  CHECK(sread.tr.type == 0xB);
  CHECK(sread.tr.present);
  CHECK(sread.tr.limit == 0x67);

  CheckOut(guest.Run(), 0x77, 4, 0x05060708);
}

// Reads and writes of guest-physical memory that no slot backs exit with the access.
void MmioExits(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  {
    TestGuest guest(hypervisor);
    Code code;
    code.LoadRax(kUnbackedGpa).Hlt();
    guest.Load(kCodeGpa, code);
    const MmioExit mmio = ExitAs<MmioExit>(guest.Run());
    CHECK(mmio.gpa == kUnbackedGpa);
    CHECK(int{mmio.size} == 8);
    CHECK_FALSE(mmio.is_write);
  }
  {
    // A fresh guest: on some backends an MMIO access completes only on the next run.
    TestGuest guest(hypervisor);
    Code code;
    code.StoreDword(kUnbackedGpa + 0x10, 0xABCD1234).Hlt();
    guest.Load(kCodeGpa, code);
    const MmioExit mmio = ExitAs<MmioExit>(guest.Run());
    CHECK(mmio.gpa == kUnbackedGpa + 0x10);
    CHECK(int{mmio.size} == 4);
    CHECK(mmio.is_write);
    CHECK(mmio.value == 0xABCD1234);
  }
}

// Interrupt from another thread stops a spinning vCPU, and the next call runs normally.
void InterruptSpinning(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  TestGuest guest(hypervisor);
  Code code;
  code.JmpSelf();
  const std::size_t next_call = code.Offset();
  code.MovEdx(0x10).MovAl(1).OutDxAl().Hlt();
  guest.Load(kCodeGpa, code);

  std::atomic<bool> returned{false};
  std::atomic<bool> repeated{false};
  std::thread interrupter([&] {
    std::this_thread::sleep_for(50ms);  // the vCPU is spinning by now
    guest.vcpu().Interrupt();
    // Should the interrupt be lost, interrupt again (and fail the test) rather than hang.
    for (auto waited = 0ms; !returned.load(); waited += 10ms) {
      if (waited > 5s) {
        repeated = true;
        guest.vcpu().Interrupt();
      }
      std::this_thread::sleep_for(10ms);
    }
  });
  const VcpuExit exit = guest.Run();
  returned = true;
  interrupter.join();

  CHECK_FALSE(repeated.load());
  ExitAs<CancelledExit>(exit);
  CHECK(guest.Rip() == kCodeGpa);

  guest.SetRip(kCodeGpa + next_call);
  CheckOut(guest.Run(), 0x10, 1, 1);
}

// An interrupt before Run cancels that Run at once and only that one; ClearInterrupt drops a
// pending interrupt.
void InterruptBeforeRun(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  TestGuest guest(hypervisor);
  Code code;
  code.MovEdx(0x10).MovAl(2).OutDxAl().Hlt();
  guest.Load(kCodeGpa, code);

  guest.vcpu().Interrupt();
  ExitAs<CancelledExit>(guest.Run());
  CHECK(guest.Rip() == kCodeGpa);  // no guest instruction ran
  CheckOut(guest.Run(), 0x10, 1, 2);

  guest.vcpu().Interrupt();
  guest.vcpu().ClearInterrupt();
  ExitAs<HaltExit>(guest.Run());
}

// Two VMs run at the same time on two threads, each with its own memory and registers.
void TwoVms(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  constexpr int kExits = 1000;
  constexpr std::uint32_t kMarkGpa = 0x300000;
  struct Outcome {
    int matching_exits = 0;
    std::string first_mismatch;
  };
  TestGuest a(hypervisor);
  TestGuest b(hypervisor);
  std::array<Outcome, 2> outcomes;
  std::array<std::thread, 2> threads;
  for (int i = 0; i < 2; ++i) {
    TestGuest& guest = i == 0 ? a : b;
    const std::uint32_t tag = 0xA0 + static_cast<std::uint32_t>(i);
    Code code;
    code.StoreDword(kMarkGpa, tag).MovEdx(0x10);
    const std::size_t loop = code.Offset();
    code.MovEax(tag).OutDxEax().JmpTo(loop);
    guest.Load(kCodeGpa, code);
    // Catch's assertions are not thread-safe: the threads only record what they saw.
    threads[i] = std::thread([&guest, &outcome = outcomes[i], tag] {
      for (int exit = 0; exit < kExits; ++exit) {
        const absl::StatusOr<VcpuExit> result = guest.vcpu().Run();
        const auto* io = result.ok() ? std::get_if<IoOutExit>(&*result) : nullptr;
        if (io == nullptr || io->value != tag) {
          outcome.first_mismatch =
              result.ok() ? Describe(*result) : std::string(result.status().message());
          return;
        }
        ++outcome.matching_exits;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < 2; ++i) {
    INFO("VM " << i << ": " << outcomes[i].first_mismatch);
    CHECK(outcomes[i].matching_exits == kExits);
  }
  std::uint32_t mark_a = 0, mark_b = 0;
  std::memcpy(&mark_a, a.memory() + kMarkGpa, sizeof(mark_a));
  std::memcpy(&mark_b, b.memory() + kMarkGpa, sizeof(mark_b));
  CHECK(mark_a == 0xA0);
  CHECK(mark_b == 0xA1);
}

// The pages the guest wrote since tracking began, exactly, cleared by taking them; code that had
// already run before tracking began is tracked too.
void DirtyTracking(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  if (!hypervisor->Capabilities().dirty_tracking) {
    SkipBackend(backend, "dirty-page tracking is not supported (Capabilities)");
  }
  TestGuest guest(hypervisor);
  constexpr std::uint32_t kFirst = 0x100000, kSecond = 0x105000;
  Code code;
  // The stores follow a jump, so they are not in the block where each run starts: an emulator
  // may translate that block afresh on every run, but keeps the one after it from the first run.
  code.JmpNext();
  code.StoreByte(kFirst + 8, 1).StoreByte(kSecond + 0xFFF, 2).MovEdx(0x10).OutDxAl().Hlt();
  guest.Load(kCodeGpa, code);
  // Run once before tracking, as a sandbox initialises its guest before its first snapshot: code
  // that already ran must be tracked too.
  CheckOut(guest.Run(), 0x10, 1, 0);
  ExitAs<HaltExit>(guest.Run());

  REQUIRE(guest.vm().EnableDirtyTracking(0).ToString() == "OK");
  guest.SetRip(kCodeGpa);
  CheckOut(guest.Run(), 0x10, 1, 0);
  ExitAs<HaltExit>(guest.Run());

  absl::StatusOr<std::vector<std::uint64_t>> dirty = guest.vm().TakeDirtyPages(0);
  REQUIRE(dirty.status().ToString() == "OK");
  REQUIRE(dirty->size() == kGuestMemorySize / x86::kPageSize / 64);
  std::vector<std::uint64_t> expected(dirty->size());
  for (const std::uint32_t gpa : {kFirst, kSecond}) {
    const std::uint64_t page = gpa / x86::kPageSize;
    expected[page / 64] |= std::uint64_t{1} << (page % 64);
  }
  CHECK(*dirty == expected);

  absl::StatusOr<std::vector<std::uint64_t>> again = guest.vm().TakeDirtyPages(0);
  REQUIRE(again.status().ToString() == "OK");
  CHECK(*again == std::vector<std::uint64_t>(dirty->size()));
}

// A snapshot restore of the pages the guest dirtied takes effect, even for code the guest wrote
// and executed (an emulator must not keep running its translation of the written code).
void RestoreDirtyCode(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  if (!hypervisor->Capabilities().dirty_tracking) {
    SkipBackend(backend, "dirty-page tracking is not supported (Capabilities)");
  }
  TestGuest guest(hypervisor);
  Code call;  // "the guest function": reports the immediate of its `mov al`
  call.MovEdx(0x10).MovAl(1).OutDxAl().Hlt();
  const std::uint32_t immediate = static_cast<std::uint32_t>(kCodeGpa) + 6;  // after BA imm32 B0
  constexpr std::uint64_t kPatcherGpa = kCodeGpa + 0x1000;
  Code patcher;  // rewrites that immediate
  patcher.StoreByte(immediate, 5).Hlt();
  guest.Load(kCodeGpa, call);
  guest.Load(kPatcherGpa, patcher);
  std::vector<std::uint8_t> snapshot(guest.memory() + kCodeGpa,
                                     guest.memory() + kCodeGpa + x86::kPageSize);
  REQUIRE(guest.vm().EnableDirtyTracking(0).ToString() == "OK");

  CheckOut(guest.Run(), 0x10, 1, 1);
  ExitAs<HaltExit>(guest.Run());
  guest.SetRip(kPatcherGpa);
  ExitAs<HaltExit>(guest.Run());
  guest.SetRip(kCodeGpa);
  CheckOut(guest.Run(), 0x10, 1, 5);
  ExitAs<HaltExit>(guest.Run());

  // Restore the dirtied code page from the snapshot, as the sandbox does.
  absl::StatusOr<std::vector<std::uint64_t>> dirty = guest.vm().TakeDirtyPages(0);
  REQUIRE(dirty.status().ToString() == "OK");
  const std::uint64_t page = kCodeGpa / x86::kPageSize;
  REQUIRE(((*dirty)[page / 64] >> (page % 64) & 1) == 1);
  std::memcpy(guest.memory() + kCodeGpa, snapshot.data(), snapshot.size());

  guest.SetRip(kCodeGpa);
  CheckOut(guest.Run(), 0x10, 1, 1);
}

// Loading CR3 through SetSpecialRegisters drops translations made with the old page tables.
void SwitchPageTables(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  TestGuest guest(hypervisor);
  // Second tables that map only the first 2 MiB.
  const x86::PageTableLayout small{0x20000, 0x21000, 0x22000};
  guest.WritePageTables(small, x86::kLargePageSize);
  Code code;
  code.LoadRax(0x200000).MovEdx(0x10).OutDxAl().Hlt();
  guest.Load(kCodeGpa, code);
  CheckOut(guest.Run(), 0x10, 1, 0);

  SpecialRegisters sregs = guest.SpecialRegs();
  sregs.cr3 = small.pml4_gpa;
  REQUIRE(guest.vcpu().SetSpecialRegisters(sregs).ToString() == "OK");
  guest.SetRip(kCodeGpa);
  const VcpuExit exit = guest.Run();
  // The load now page-faults. With no IDT in this guest, a hardware backend sees a triple fault
  // (kShutdown); a backend that intercepts exceptions reports the #PF itself.
  const FaultExit fault = ExitAs<FaultExit>(exit);
  INFO("exit: " << Describe(exit));
  if (fault.kind == FaultExit::Kind::kException) {
    CHECK(int{fault.vector} == 14);
    CHECK(fault.rip == kCodeGpa);
  } else {
    CHECK(fault.kind == FaultExit::Kind::kShutdown);
  }
}

// Mapping memory over an existing slot, or unaligned, is an error naming the backend.
void MapErrors(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  absl::StatusOr<std::unique_ptr<Vm>> vm = hypervisor->CreateVm();
  REQUIRE(vm.status().ToString() == "OK");
  GuestBuffer first(0x200000), second(0x200000);
  REQUIRE((*vm)->MapMemory(0, 0, first.data(), first.size(), MemoryAccess::kReadWrite).ok());

  const absl::Status overlap =
      (*vm)->MapMemory(1, 0x100000, second.data(), second.size(), MemoryAccess::kReadWrite);
  CHECK_FALSE(overlap.ok());
  CHECK_THAT(std::string(overlap.message()), Catch::StartsWith(backend + ": "));

  const absl::Status unaligned =
      (*vm)->MapMemory(1, 0x200800, second.data(), second.size(), MemoryAccess::kReadWrite);
  CHECK_FALSE(unaligned.ok());
  CHECK_THAT(std::string(unaligned.message()), Catch::StartsWith(backend + ": "));

  // The failures left no trace: the range is still free for a correct mapping.
  CHECK((*vm)->MapMemory(1, 0x200000, second.data(), second.size(), MemoryAccess::kReadWrite).ok());
}

// Running a vCPU of a VM without memory ends in an error or a fault exit, not a crash or hang.
void RunWithoutMemory(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  absl::StatusOr<std::unique_ptr<Vm>> vm = hypervisor->CreateVm();
  REQUIRE(vm.status().ToString() == "OK");
  absl::StatusOr<std::unique_ptr<Vcpu>> vcpu = (*vm)->CreateVcpu(0);
  REQUIRE(vcpu.status().ToString() == "OK");
  const absl::StatusOr<VcpuExit> exit = (*vcpu)->Run();
  if (exit.ok()) {
    INFO("exit: " << Describe(*exit));
    CHECK((std::holds_alternative<FaultExit>(*exit) || std::holds_alternative<MmioExit>(*exit)));
  } else {
    CHECK_THAT(std::string(exit.status().message()), Catch::StartsWith(backend + ": "));
  }
}

// An invalid opcode is a fault at the instruction.
void InvalidOpcode(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  TestGuest guest(hypervisor);
  Code code;
  code.Nop().Ud2().Hlt();
  guest.Load(kCodeGpa, code);
  const VcpuExit exit = guest.Run();
  const FaultExit fault = ExitAs<FaultExit>(exit);
  INFO("exit: " << Describe(exit));
  // As in SwitchPageTables: without an IDT, hardware triple-faults.
  if (fault.kind == FaultExit::Kind::kException) {
    CHECK(int{fault.vector} == 6);
    CHECK(fault.rip == kCodeGpa + 1);
  } else {
    CHECK(fault.kind == FaultExit::Kind::kShutdown);
  }
}

// One TEST_CASE per backend for a check. Names carry no commas or brackets (CTest test names).
#define VMB_CONFORMANCE(check, description)                                                \
  TEST_CASE("conformance emulator: " description, "[conformance][emulator]") {             \
    check("emulator");                                                                     \
  }                                                                                        \
  TEST_CASE("conformance kvm: " description, "[conformance][kvm]") { check("kvm"); }       \
  TEST_CASE("conformance mshv3: " description, "[conformance][mshv3]") { check("mshv3"); } \
  TEST_CASE("conformance whp: " description, "[conformance][whp]") { check("whp"); }

VMB_CONFORMANCE(LongModeEntry, "long mode entry with identity page tables")
VMB_CONFORMANCE(OutSizes, "OUT with 1 2 and 4 byte values")
VMB_CONFORMANCE(Halt, "HLT exits and resumes after it")
VMB_CONFORMANCE(RegisterRoundTrip, "general and special registers round trip")
VMB_CONFORMANCE(MmioExits, "MMIO exits on reads and writes of unbacked memory")
VMB_CONFORMANCE(InterruptSpinning, "interrupt of a spinning vCPU from another thread")
VMB_CONFORMANCE(InterruptBeforeRun, "interrupt before run cancels exactly one run")
VMB_CONFORMANCE(TwoVms, "two VMs run at once")
VMB_CONFORMANCE(DirtyTracking, "dirty tracking reports exactly the written pages")
VMB_CONFORMANCE(RestoreDirtyCode, "restoring dirtied code pages takes effect")
VMB_CONFORMANCE(SwitchPageTables, "loading CR3 drops old translations")
VMB_CONFORMANCE(MapErrors, "overlapping or unaligned memory is an error")
VMB_CONFORMANCE(RunWithoutMemory, "run without memory is an exit or error")
VMB_CONFORMANCE(InvalidOpcode, "ud2 is a fault at the instruction")

}  // namespace
}  // namespace vmbench::testing
