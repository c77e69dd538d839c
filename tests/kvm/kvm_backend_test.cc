// Backend checks written for the kvm backend, where KVM's own behaviour makes the interface's
// promises easy to break: KVM finishes an I/O or MMIO instruction only on the next KVM_RUN, and
// interrupts travel by signal. They hold for every backend, so each check runs on the emulator
// too (which keeps them honest on machines without /dev/kvm). The kvm cases skip visibly where
// /dev/kvm is unusable; `tools/vmtest` runs them inside a QEMU guest with nested KVM.

#include <sys/mman.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "conformance_support.h"

namespace vmbench::testing {
namespace {

using namespace std::chrono_literals;

// A register read at an OUT exit shows RIP after the OUT; register writes made there are what
// the guest runs with, even when they put RIP back on the OUT (KVM's fast-PIO completion skips an
// instruction when RIP still equals the OUT's address, arch/x86/kvm/x86.c complete_fast_pio_out).
void RegistersAtOutExit(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  constexpr std::uint64_t kOtherGpa = kCodeGpa + 0x800;
  Code code;
  code.MovEdx(0x10).MovAl(1);
  const std::size_t out = code.Offset();
  code.OutDxAl();
  const std::size_t after_out = code.Offset();
  code.MovAl(2).OutDxAl().Hlt();
  Code other;
  other.MovAl(0x77).OutDxAl();
  const std::size_t after_other = other.Offset();
  other.Hlt();

  {
    TestGuest guest(hypervisor);
    guest.Load(kCodeGpa, code);
    CheckOut(guest.Run(), 0x10, 1, 1);
    const GeneralRegisters regs = guest.Registers();
    CHECK(regs.rip == kCodeGpa + after_out);
    CHECK((regs.rax & 0xFF) == 1);
    CheckOut(guest.Run(), 0x10, 1, 2);
  }
  {
    // Written without reading first: the OUT runs again with the new AL.
    TestGuest guest(hypervisor);
    guest.Load(kCodeGpa, code);
    CheckOut(guest.Run(), 0x10, 1, 1);
    GeneralRegisters regs;
    regs.rip = kCodeGpa + out;
    regs.rdx = 0x10;
    regs.rax = 0x55;
    regs.rsp = kStackTop;
    guest.SetRegisters(regs);
    CheckOut(guest.Run(), 0x10, 1, 0x55);
    CHECK(guest.Rip() == kCodeGpa + after_out);
  }
  {
    // RIP moved elsewhere: the guest starts exactly there.
    TestGuest guest(hypervisor);
    guest.Load(kCodeGpa, code);
    guest.Load(kOtherGpa, other);
    CheckOut(guest.Run(), 0x10, 1, 1);
    GeneralRegisters regs;
    regs.rip = kOtherGpa;
    regs.rdx = 0x10;
    regs.rsp = kStackTop;
    guest.SetRegisters(regs);
    CheckOut(guest.Run(), 0x10, 1, 0x77);
    CHECK(guest.Rip() == kOtherGpa + after_other);
  }
  {
    // Special registers written at an OUT exit (a snapshot restore does this) leave RIP after
    // the OUT, and the guest continues there.
    TestGuest guest(hypervisor);
    guest.Load(kCodeGpa, code);
    CheckOut(guest.Run(), 0x10, 1, 1);
    REQUIRE(guest.vcpu().SetSpecialRegisters(guest.SpecialRegs()).ToString() == "OK");
    CHECK(guest.Rip() == kCodeGpa + after_out);
    CheckOut(guest.Run(), 0x10, 1, 2);
  }
}

// After an MMIO read or an IN, which leave RIP at the instruction, new registers are what the
// guest runs with: the unfinished access completes (or is dropped) first, and cannot overwrite
// RIP or its destination register later.
void RegistersAfterUnfinishedAccess(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  constexpr std::uint64_t kOtherGpa = kCodeGpa + 0x800;
  Code other;
  other.OutDxEax().Hlt();
  for (const bool port_input : {false, true}) {
    INFO((port_input ? "IN" : "MMIO read"));
    TestGuest guest(hypervisor);
    Code code;
    if (port_input) {
      code.MovEdx(0x20).InAlDx().Hlt();
    } else {
      code.LoadRax(kUnbackedGpa).Hlt();
    }
    guest.Load(kCodeGpa, code);
    guest.Load(kOtherGpa, other);
    const VcpuExit exit = guest.Run();
    const std::uint64_t access = kCodeGpa + (port_input ? 5 : 0);  // after `mov edx, imm32`
    if (port_input) {
      CHECK(ExitAs<FaultExit>(exit).rip == access);
    } else {
      // MmioExit: "The access has not completed", so RIP is still at it. (Where RIP is after an
      // IN fault, the interface leaves open.)
      CHECK(ExitAs<MmioExit>(exit).gpa == kUnbackedGpa);
      CHECK(guest.Rip() == access);
    }

    GeneralRegisters regs;
    regs.rip = kOtherGpa;
    regs.rax = 0x12345678;
    regs.rdx = 0x30;
    regs.rsp = kStackTop;
    guest.SetRegisters(regs);
    CheckOut(guest.Run(), 0x30, 4, 0x12345678);
    ExitAs<HaltExit>(guest.Run());
  }
}

// Interrupts that race with exits, including kicks that arrive after the Run they were aimed at
// returned, never cancel a Run once the caller has cleared the interrupt.
void StaleInterrupts(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  TestGuest guest(hypervisor);
  Code code;
  code.MovEdx(0x10);
  const std::size_t loop = code.Offset();
  code.MovAl(3).OutDxAl().JmpTo(loop);
  guest.Load(kCodeGpa, code);

  std::atomic<bool> stop{false};
  std::thread interrupter([&] {
    while (!stop.load()) {
      guest.vcpu().Interrupt();
      std::this_thread::sleep_for(200us);
    }
  });
  int cancelled = 0, outs = 0;
  std::string unexpected;
  const auto until = std::chrono::steady_clock::now() + 300ms;
  while (std::chrono::steady_clock::now() < until && unexpected.empty()) {
    const VcpuExit exit = guest.Run();
    if (std::holds_alternative<CancelledExit>(exit)) {
      ++cancelled;
    } else if (const auto* io = std::get_if<IoOutExit>(&exit); io != nullptr && io->value == 3) {
      ++outs;
    } else {
      unexpected = Describe(exit);
    }
  }
  stop = true;
  interrupter.join();
  INFO("during the interrupts: " << outs << " OUT exits, " << cancelled << " cancelled runs");
  CHECK(unexpected.empty());
  CHECK(outs > 0);

  guest.vcpu().ClearInterrupt();
  for (int i = 0; i < 200; ++i) {
    const VcpuExit exit = guest.Run();
    INFO("run " << i << " after ClearInterrupt: " << Describe(exit));
    REQUIRE(std::holds_alternative<IoOutExit>(exit));
  }
}

// A write to read-only memory exits like an access to unbacked memory, and does not land.
void ReadOnlyMemory(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  TestGuest guest(hypervisor);
  constexpr std::uint64_t kReadOnlyGpa = 0x600000;  // above the test guest's 4 MiB slot
  GuestBuffer page(x86::kPageSize);
  page.data()[0] = 0x5A;
  REQUIRE(guest.vm()
              .MapMemory(1, kReadOnlyGpa, page.data(), page.size(), MemoryAccess::kReadOnly)
              .ToString() == "OK");
  Code code;
  code.LoadRax(kReadOnlyGpa).MovEdx(0x10).OutDxAl();
  code.StoreByte(kReadOnlyGpa, 0x77).Hlt();
  guest.Load(kCodeGpa, code);
  CheckOut(guest.Run(), 0x10, 1, 0x5A);
  const MmioExit mmio = ExitAs<MmioExit>(guest.Run());
  CHECK(mmio.gpa == kReadOnlyGpa);
  CHECK(mmio.is_write);
  CHECK(mmio.value == 0x77);
  CHECK(page.data()[0] == 0x5A);
}

// Unmapping deletes the slot (accesses become MMIO), and the range can be mapped again.
void UnmapAndRemap(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  TestGuest guest(hypervisor);
  constexpr std::uint64_t kSlotGpa = 0x600000;
  GuestBuffer first(x86::kPageSize), second(x86::kPageSize);
  first.data()[0] = 1;
  second.data()[0] = 2;
  Code code;
  code.LoadRax(kSlotGpa).MovEdx(0x10).OutDxAl().Hlt();
  guest.Load(kCodeGpa, code);

  REQUIRE(guest.vm()
              .MapMemory(1, kSlotGpa, first.data(), first.size(), MemoryAccess::kReadWrite)
              .ToString() == "OK");
  CheckOut(guest.Run(), 0x10, 1, 1);
  REQUIRE(guest.vm().UnmapMemory(1).ToString() == "OK");
  guest.SetRip(kCodeGpa);
  CHECK(ExitAs<MmioExit>(guest.Run()).gpa == kSlotGpa);

  REQUIRE(guest.vm()
              .MapMemory(1, kSlotGpa, second.data(), second.size(), MemoryAccess::kReadWrite)
              .ToString() == "OK");
  guest.SetRip(kCodeGpa);
  CheckOut(guest.Run(), 0x10, 1, 2);
  CHECK_FALSE(guest.vm().UnmapMemory(7).ok());
}

// Capabilities().replaceable_memory: pages dropped behind a mapping (MADV_DONTNEED on private
// anonymous memory) read back as zeros in the guest, without remapping.
void ReplaceableMemory(const std::string& backend) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackend(backend);
  if (!hypervisor->Capabilities().replaceable_memory) {
    SkipBackend(backend, "replaceable memory is not supported (Capabilities)");
  }
  TestGuest guest(hypervisor);
  constexpr std::uint32_t kDataGpa = 0x300000;
  Code code;
  code.StoreByte(kDataGpa, 9).LoadRax(kDataGpa).MovEdx(0x10).OutDxAl();
  const std::size_t reload = code.Offset();
  code.LoadRax(kDataGpa).OutDxAl().Hlt();
  guest.Load(kCodeGpa, code);
  CheckOut(guest.Run(), 0x10, 1, 9);
  REQUIRE(::madvise(guest.memory() + kDataGpa, x86::kPageSize, MADV_DONTNEED) == 0);
  guest.SetRip(kCodeGpa + reload);
  CheckOut(guest.Run(), 0x10, 1, 0);
}

#define VMB_BACKEND_CHECK(check, description)                                               \
  TEST_CASE("backend emulator: " description, "[backend][emulator]") { check("emulator"); } \
  TEST_CASE("backend kvm: " description, "[backend][kvm]") { check("kvm"); }

VMB_BACKEND_CHECK(RegistersAtOutExit, "registers at an OUT exit show and keep RIP after it")
VMB_BACKEND_CHECK(RegistersAfterUnfinishedAccess, "registers written after MMIO or IN exits stick")
VMB_BACKEND_CHECK(StaleInterrupts, "stale interrupts never cancel a run after ClearInterrupt")
VMB_BACKEND_CHECK(ReadOnlyMemory, "writes to read-only memory exit and do not land")
VMB_BACKEND_CHECK(UnmapAndRemap, "unmapped memory exits and can be mapped again")
VMB_BACKEND_CHECK(ReplaceableMemory, "pages dropped behind a mapping read as zero")

// The kvm backend's own promises: the precise reason when /dev/kvm is unusable, its version, one
// vCPU per VM, and KVM's slot limit.
TEST_CASE("backend kvm: availability reason version and limits", "[backend][kvm]") {
  const std::filesystem::path path = PluginDir() / "libvmbench_hypervisor_kvm.so";
  LoadOutcome outcome = LoadPluginFile(path);
  REQUIRE(outcome.plugin != nullptr);
  ScanResult scan;
  scan.plugins.push_back(std::move(*outcome.plugin));
  std::vector<Rejection> rejections;
  const Registry registry = Registry::Build(std::move(scan), &rejections);
  std::shared_ptr<Hypervisor> kvm = registry.FindHypervisor("kvm");
  REQUIRE(kvm != nullptr);
  const Availability availability = kvm->CheckAvailability();
  if (!availability.available) {
    CHECK_THAT(availability.reason, Catch::StartsWith("/dev/kvm: "));
    CHECK_THAT(kvm->Version(), Catch::EndsWith(", no usable /dev/kvm"));
    const absl::StatusOr<std::unique_ptr<Vm>> vm = kvm->CreateVm();
    CHECK(vm.status().code() == absl::StatusCode::kUnavailable);
    CHECK(std::string(vm.status().message()) == availability.reason);
    SkipTest("kvm: " + availability.reason);
  }
  CHECK_THAT(kvm->Version(), Catch::StartsWith("KVM API 12, Linux "));
  CHECK(kvm->Capabilities().dirty_tracking);
  CHECK(kvm->Capabilities().replaceable_memory);

  absl::StatusOr<std::unique_ptr<Vm>> vm = kvm->CreateVm();
  REQUIRE(vm.status().ToString() == "OK");
  absl::StatusOr<std::unique_ptr<Vcpu>> vcpu = (*vm)->CreateVcpu(0);
  REQUIRE(vcpu.status().ToString() == "OK");
  CHECK((*vm)->CreateVcpu(0).status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK((*vm)->CreateVcpu(1).status().code() == absl::StatusCode::kInvalidArgument);
  GuestBuffer page(x86::kPageSize);
  const absl::Status beyond =
      (*vm)->MapMemory(0x10000, 0, page.data(), page.size(), MemoryAccess::kReadWrite);
  CHECK(beyond.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(beyond.message()), Catch::Contains("KVM_CAP_NR_MEMSLOTS"));
  CHECK((*vm)->TakeDirtyPages(0).status().code() == absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace vmbench::testing
