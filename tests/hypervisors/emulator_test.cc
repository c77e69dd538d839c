// The emulator backend's own behaviour, beyond what every backend shares (conformance_test.cc):
// where Unicorn differs from hardware, the backend's limits, and its error messages.

#include "conformance_support.h"

namespace vmbench::testing {
namespace {

std::shared_ptr<Hypervisor> LoadEmulator() { return LoadBackend("emulator"); }

TEST_CASE("emulator reports Unicorn's version and its capabilities", "[emulator]") {
  std::shared_ptr<Hypervisor> emulator = LoadEmulator();
  CHECK_THAT(emulator->Version(), Catch::Matches("unicorn 2\\.[0-9]+\\.[0-9]+.*"));
  CHECK(emulator->Capabilities().dirty_tracking);
  CHECK(emulator->Capabilities().replaceable_memory);
}

TEST_CASE("emulator runs one vCPU per VM", "[emulator]") {
  std::shared_ptr<Hypervisor> emulator = LoadEmulator();
  absl::StatusOr<std::unique_ptr<Vm>> vm = emulator->CreateVm();
  REQUIRE(vm.ok());
  const absl::StatusOr<std::unique_ptr<Vcpu>> second_index = (*vm)->CreateVcpu(1);
  CHECK(second_index.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(second_index.status().message()),
             Catch::StartsWith("emulator: CreateVcpu(1)"));

  absl::StatusOr<std::unique_ptr<Vcpu>> first = (*vm)->CreateVcpu(0);
  REQUIRE(first.ok());
  const absl::StatusOr<std::unique_ptr<Vcpu>> again = (*vm)->CreateVcpu(0);
  CHECK(again.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK_THAT(std::string(again.status().message()), Catch::Contains("already exists"));

  first->reset();
  CHECK((*vm)->CreateVcpu(0).ok());
}

TEST_CASE("emulator names both slots of an overlapping mapping", "[emulator]") {
  std::shared_ptr<Hypervisor> emulator = LoadEmulator();
  absl::StatusOr<std::unique_ptr<Vm>> vm = emulator->CreateVm();
  REQUIRE(vm.ok());
  GuestBuffer first(0x200000), second(0x200000);
  REQUIRE((*vm)->MapMemory(0, 0, first.data(), first.size(), MemoryAccess::kReadWrite).ok());
  const absl::Status overlap =
      (*vm)->MapMemory(1, 0x100000, second.data(), second.size(), MemoryAccess::kReadWrite);
  CHECK(overlap.code() == absl::StatusCode::kInvalidArgument);
  CHECK(overlap.message() ==
        "emulator: MapMemory slot 1 [0x100000,0x300000) overlaps slot 0 [0x0,0x200000)");

  const absl::Status reused =
      (*vm)->MapMemory(0, 0x400000, second.data(), second.size(), MemoryAccess::kReadWrite);
  CHECK(reused.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(reused.message()), Catch::Contains("slot 0: the slot is already mapped"));

  CHECK((*vm)->UnmapMemory(7).code() == absl::StatusCode::kInvalidArgument);
  CHECK((*vm)->EnableDirtyTracking(7).code() == absl::StatusCode::kInvalidArgument);
  CHECK((*vm)->TakeDirtyPages(0).status().code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("emulator reports CPU exceptions with their vector and RIP", "[emulator]") {
  std::shared_ptr<Hypervisor> emulator = LoadEmulator();

  SECTION("#DE at the division") {
    TestGuest guest(emulator);
    Code code;
    code.XorEcxEcx();
    const std::size_t division = code.Offset();
    code.DivEcx().Hlt();
    guest.Load(kCodeGpa, code);
    const FaultExit fault = ExitAs<FaultExit>(guest.Run());
    CHECK(fault.kind == FaultExit::Kind::kException);
    CHECK(int{fault.vector} == 0);
    CHECK(fault.rip == kCodeGpa + division);
    CHECK_THAT(fault.detail, Catch::Contains("#DE"));
  }
  SECTION("#UD at the ud2") {
    TestGuest guest(emulator);
    Code code;
    code.Nop().Ud2();
    guest.Load(kCodeGpa, code);
    const FaultExit fault = ExitAs<FaultExit>(guest.Run());
    CHECK(fault.kind == FaultExit::Kind::kException);
    CHECK(int{fault.vector} == 6);
    CHECK(fault.rip == kCodeGpa + 1);
  }
  SECTION("#PF on backed memory the page tables leave out, with the address") {
    // Unicorn 2.0.1 checks whether an address is backed before it walks the page tables, so an
    // unbacked address is an MMIO exit even where hardware would page-fault: the fault needs
    // memory that exists but is not mapped.
    TestGuest guest(emulator);
    const x86::PageTableLayout first_2mib{0x20000, 0x21000, 0x22000};
    guest.WritePageTables(first_2mib, x86::kLargePageSize);
    SpecialRegisters sregs = guest.SpecialRegs();
    sregs.cr3 = first_2mib.pml4_gpa;
    REQUIRE(guest.vcpu().SetSpecialRegisters(sregs).ok());
    Code code;
    code.LoadRax(0x300000).Hlt();
    guest.Load(kCodeGpa, code);
    const FaultExit fault = ExitAs<FaultExit>(guest.Run());
    CHECK(fault.kind == FaultExit::Kind::kException);
    CHECK(int{fault.vector} == 14);
    CHECK(fault.rip == kCodeGpa);
    CHECK_THAT(fault.detail, Catch::Contains("address 0x300000"));
  }
  SECTION("#BP after the int3, as a trap") {
    TestGuest guest(emulator);
    Code code;
    code.Int3().Hlt();
    guest.Load(kCodeGpa, code);
    const FaultExit fault = ExitAs<FaultExit>(guest.Run());
    CHECK(int{fault.vector} == 3);
    CHECK(fault.rip == kCodeGpa + 1);
  }
}

TEST_CASE("emulator leaves RIP at an MMIO access, which did not happen", "[emulator]") {
  std::shared_ptr<Hypervisor> emulator = LoadEmulator();
  TestGuest guest(emulator);
  Code code;
  code.Nop();
  const std::size_t load = code.Offset();
  code.LoadRax(kUnbackedGpa);
  const std::size_t store = code.Offset();
  code.StoreDword(kUnbackedGpa, 1).Hlt();
  guest.Load(kCodeGpa, code);

  GeneralRegisters regs = guest.Registers();
  regs.rax = 0x5555;
  guest.SetRegisters(regs);
  ExitAs<MmioExit>(guest.Run());
  CHECK(guest.Rip() == kCodeGpa + load);
  CHECK(guest.Registers().rax == 0x5555);

  guest.SetRip(kCodeGpa + store);
  CHECK(ExitAs<MmioExit>(guest.Run()).is_write);
  CHECK(guest.Rip() == kCodeGpa + store);
}

TEST_CASE("emulator exits on writes to read-only memory", "[emulator]") {
  std::shared_ptr<Hypervisor> emulator = LoadEmulator();
  TestGuest guest(emulator);
  GuestBuffer rom(0x1000);
  REQUIRE(guest.vm().MapMemory(1, 0x500000, rom.data(), rom.size(), MemoryAccess::kReadOnly).ok());
  Code code;
  code.StoreByte(0x500010, 0x42).Hlt();
  guest.Load(kCodeGpa, code);
  const MmioExit mmio = ExitAs<MmioExit>(guest.Run());
  CHECK(mmio.gpa == 0x500010);
  CHECK(mmio.is_write);
  CHECK(mmio.value == 0x42);
  CHECK(rom.data()[0x10] == 0);
}

TEST_CASE("emulator treats IN and fetches from unmapped memory as internal errors", "[emulator]") {
  std::shared_ptr<Hypervisor> emulator = LoadEmulator();
  {
    TestGuest guest(emulator);
    Code code;
    code.MovEdx(0x60).InAlDx().Hlt();
    guest.Load(kCodeGpa, code);
    const FaultExit fault = ExitAs<FaultExit>(guest.Run());
    CHECK(fault.kind == FaultExit::Kind::kInternalError);
    CHECK(fault.rip == kCodeGpa + 5);
    CHECK_THAT(fault.detail, Catch::Contains("IN from port 0x60"));
  }
  {
    TestGuest guest(emulator);
    guest.SetRip(kUnbackedGpa);
    const FaultExit fault = ExitAs<FaultExit>(guest.Run());
    CHECK(fault.kind == FaultExit::Kind::kInternalError);
    CHECK(fault.rip == kUnbackedGpa);
    CHECK_THAT(fault.detail, Catch::Contains("instruction fetch from unmapped"));
  }
}

TEST_CASE("emulator accepts only 64-bit states it can represent", "[emulator]") {
  std::shared_ptr<Hypervisor> emulator = LoadEmulator();
  TestGuest guest(emulator);
  const SpecialRegisters good = guest.SpecialRegs();

  SpecialRegisters sregs = good;
  sregs.cs.l = false;
  const absl::Status compat = guest.vcpu().SetSpecialRegisters(sregs);
  CHECK(compat.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(compat.message()), Catch::Contains("CS.L"));

  sregs = good;
  sregs.efer = 0xD01;  // with SCE and NXE
  const absl::Status efer = guest.vcpu().SetSpecialRegisters(sregs);
  CHECK(efer.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(efer.message()), Catch::Contains("EFER 0xd01"));

  // The rejected calls changed nothing.
  CHECK(guest.SpecialRegs().efer == good.efer);
}

TEST_CASE("emulator keeps what Unicorn cannot report as last set", "[emulator]") {
  std::shared_ptr<Hypervisor> emulator = LoadEmulator();
  TestGuest guest(emulator);
  SpecialRegisters sregs = guest.SpecialRegs();
  sregs.ds.limit = 0xFFFF;
  sregs.ds.dpl = 3;
  sregs.cr8 = 5;
  sregs.apic_base = 0xFEE00900;
  sregs.ldt = {0x7000, 0xFF, 0x28, 0x2, true, 0, false, false, false, false};
  REQUIRE(guest.vcpu().SetSpecialRegisters(sregs).ok());
  const SpecialRegisters read = guest.SpecialRegs();
  CHECK(read.ds.limit == 0xFFFF);
  CHECK(int{read.ds.dpl} == 3);
  CHECK(read.cr8 == 5);
  CHECK(read.apic_base == 0xFEE00900);
  CHECK(read.ldt.base == 0x7000);
  CHECK(read.ldt.limit == 0xFF);
  CHECK(read.ldt.selector == 0x28);
  CHECK(int{read.ldt.type} == 2);
  CHECK(read.ldt.present);
}

}  // namespace
}  // namespace vmbench::testing
