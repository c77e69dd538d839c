// Contract tests of the mshv3 backend: the real plugin, loaded as vmbench loads it, talks to
// fake_mshv_device (an ioctl interposer that answers like the documented driver). They check the
// backend's whole call sequence against expected_call_sequence.txt and its handling of registers,
// RIP, interrupts, dirty pages and hypervisor errors. They are not a substitute for a host running
// Linux as the root partition of the Microsoft Hypervisor (see hypervisors/mshv3/README.md).

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "conformance_support.h"
#include "fake_mshv_device.h"
#include "mshv_messages.h"

namespace vmbench::testing {
namespace {

constexpr std::uint32_t kRip = 0x20010;
constexpr std::uint64_t kMemoryBytes = 0x200000;

std::vector<std::string> ExpectedSequence() {
  std::ifstream file(std::string(VMBENCH_TEST_SOURCE_DIR) + "/expected_call_sequence.txt");
  REQUIRE(file.good());
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) {
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  return lines;
}

// Guest memory for the fake's mappings (page-aligned, never touched by a guest).
struct GuestMemory {
  GuestMemory() {
    bytes =
        ::mmap(nullptr, kMemoryBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(bytes != MAP_FAILED);
  }
  ~GuestMemory() { ::munmap(bytes, kMemoryBytes); }
  void* bytes;
};

// A VM with its memory mapped and its vCPU in long mode at `rip`.
struct Machine {
  explicit Machine(Hypervisor& hypervisor, std::uint64_t rip = 0x10000) {
    auto created = hypervisor.CreateVm();
    REQUIRE(created.ok());
    vm = std::move(*created);
    REQUIRE(vm->MapMemory(0, 0, memory.bytes, kMemoryBytes, MemoryAccess::kReadWrite).ok());
    auto vp = vm->CreateVcpu(0);
    REQUIRE(vp.ok());
    vcpu = std::move(*vp);
    auto reset = vcpu->GetSpecialRegisters();
    REQUIRE(reset.ok());
    auto sregs = x86::LongModeSpecialRegisters(*reset, 0x1000);
    REQUIRE(sregs.ok());
    REQUIRE(vcpu->SetSpecialRegisters(*sregs).ok());
    GeneralRegisters regs;
    regs.rip = rip;
    regs.rsp = 0x1FF000;
    REQUIRE(vcpu->SetGeneralRegisters(regs).ok());
  }

  GuestMemory memory;
  std::unique_ptr<Vm> vm;
  std::unique_ptr<Vcpu> vcpu;
};

std::string Message(const absl::Status& status) { return std::string(status.message()); }

TEST_CASE("mshv3 contract: without /dev/mshv the backend is unavailable with the reason") {
  fake_mshv::Reset(/*enabled=*/false, /*register_page=*/true);
  const std::shared_ptr<Hypervisor> hypervisor = LoadBackendPlugin("mshv3");
  const Availability availability = hypervisor->CheckAvailability();
  CHECK_FALSE(availability.available);
  CHECK_THAT(availability.reason, Catch::StartsWith("/dev/mshv: No such file or directory"));
  CHECK_THAT(availability.reason, Catch::Contains("root partition of the Microsoft Hypervisor"));
  auto vm = hypervisor->CreateVm();
  REQUIRE_FALSE(vm.ok());
  CHECK(absl::IsUnavailable(vm.status()));
  // Pinned memory: the sandbox must restore by copying, never by replacing pages.
  CHECK_FALSE(hypervisor->Capabilities().replaceable_memory);
  CHECK(hypervisor->Capabilities().dirty_tracking);
}

TEST_CASE("mshv3 contract: a VM's whole life follows the documented call sequence") {
  fake_mshv::Reset(/*enabled=*/true, /*register_page=*/true);
  const std::shared_ptr<Hypervisor> hypervisor = LoadBackend("mshv3");
  {
    Machine machine(*hypervisor);
    REQUIRE(machine.vm->EnableDirtyTracking(0).ok());

    // out dx, al at 0x10000 (1 byte), then hlt at 0x10001.
    fake_mshv::QueueMessage(IoPortMessage(0x10000, 1, 1, 0x100, 1, 0x42));
    fake_mshv::QueueMessage(HaltMessage(0x10001));
    auto exit = machine.vcpu->Run();
    REQUIRE(exit.ok());
    REQUIRE(std::holds_alternative<IoOutExit>(*exit));
    CHECK(std::get<IoOutExit>(*exit).value == 0x42);
    // RIP after the OUT, through the register page the hypervisor filled at the intercept.
    auto regs = machine.vcpu->GetGeneralRegisters();
    REQUIRE(regs.ok());
    CHECK(regs->rip == 0x10001);
    CHECK(regs->rax == 0x42);
    exit = machine.vcpu->Run();
    REQUIRE(exit.ok());
    CHECK(std::holds_alternative<HaltExit>(*exit));

    fake_mshv::DirtyGuestPage(0x10);
    fake_mshv::DirtyGuestPage(0x1FF);
    auto dirty = machine.vm->TakeDirtyPages(0);
    REQUIRE(dirty.ok());
    REQUIRE(dirty->size() == kMemoryBytes / 0x1000 / 64);
    CHECK((*dirty)[0] == (1ull << 0x10));
    CHECK((*dirty)[0x1FF / 64] == (1ull << (0x1FF % 64)));
    std::uint64_t total = 0;
    for (std::uint64_t word : *dirty)
      total += static_cast<std::uint64_t>(__builtin_popcountll(word));
    CHECK(total == 2);
    dirty = machine.vm->TakeDirtyPages(0);
    REQUIRE(dirty.ok());
    for (std::uint64_t word : *dirty) CHECK(word == 0);

    REQUIRE(machine.vm->UnmapMemory(0).ok());
    machine.vcpu.reset();
  }
  hypervisor->CheckAvailability();  // the device stays open for the next VM: no new open
  CHECK(fake_mshv::TakeTranscript() == ExpectedSequence());
}

TEST_CASE("mshv3 contract: without a register page RIP moves by SET_VP_REGISTERS") {
  fake_mshv::Reset(/*enabled=*/true, /*register_page=*/false);
  const std::shared_ptr<Hypervisor> hypervisor = LoadBackend("mshv3");
  Machine machine(*hypervisor, 0x20000);
  fake_mshv::TakeTranscript();
  // out 0x80, eax (E7 80, 2 bytes).
  fake_mshv::QueueMessage(IoPortMessage(0x20000, 2, 1, 0x80, 4, 0xFFFFFFFF12345678));
  auto exit = machine.vcpu->Run();
  REQUIRE(exit.ok());
  REQUIRE(std::holds_alternative<IoOutExit>(*exit));
  CHECK(std::get<IoOutExit>(*exit).value == 0x12345678);
  const std::vector<std::string> expected = {"MSHV_RUN_VP rip=0x20000",
                                             "MSHV_ROOT_HVCALL SET_VP_REGISTERS RIP"};
  CHECK(fake_mshv::TakeTranscript() == expected);
  CHECK(fake_mshv::Register(kRip).value()[0] == 0x20002);
  auto regs = machine.vcpu->GetGeneralRegisters();
  REQUIRE(regs.ok());
  CHECK(regs->rip == 0x20002);
}

TEST_CASE("mshv3 contract: an interrupt cancels a running VP although kicks are lost") {
  fake_mshv::Reset(/*enabled=*/true, /*register_page=*/true);
  const std::shared_ptr<Hypervisor> hypervisor = LoadBackend("mshv3");
  Machine machine(*hypervisor);
  fake_mshv::TakeTranscript();
  // The first three kicks land before the driver waits, as in the kernel's lost-wakeup window.
  fake_mshv::QueueBlockUntilKicked(3);
  auto run = std::async(std::launch::async, [&] { return machine.vcpu->Run(); });
  while (fake_mshv::BlockedRuns() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  machine.vcpu->Interrupt();
  const absl::StatusOr<VcpuExit> exit = run.get();
  REQUIRE(exit.ok());
  CHECK(std::holds_alternative<CancelledExit>(*exit));
  const std::vector<std::string> transcript = fake_mshv::TakeTranscript();
  REQUIRE(transcript.size() == 2);
  CHECK(transcript[1] == "MSHV_RUN_VP interrupted by kick 4 (3 lost)");

  // The interrupt was consumed: the next run enters the guest.
  fake_mshv::QueueMessage(HaltMessage(0x10000));
  auto next = machine.vcpu->Run();
  REQUIRE(next.ok());
  CHECK(std::holds_alternative<HaltExit>(*next));
}

TEST_CASE("mshv3 contract: an interrupt before Run cancels it without entering the guest") {
  fake_mshv::Reset(/*enabled=*/true, /*register_page=*/true);
  const std::shared_ptr<Hypervisor> hypervisor = LoadBackend("mshv3");
  Machine machine(*hypervisor);
  fake_mshv::TakeTranscript();
  machine.vcpu->Interrupt();
  auto exit = machine.vcpu->Run();
  REQUIRE(exit.ok());
  CHECK(std::holds_alternative<CancelledExit>(*exit));
  CHECK(fake_mshv::TakeTranscript().empty());

  machine.vcpu->Interrupt();
  machine.vcpu->ClearInterrupt();
  fake_mshv::QueueMessage(HaltMessage(0x10000));
  exit = machine.vcpu->Run();
  REQUIRE(exit.ok());
  CHECK(std::holds_alternative<HaltExit>(*exit));
}

TEST_CASE("mshv3 contract: hypervisor and driver errors name the call and the cause") {
  fake_mshv::Reset(/*enabled=*/true, /*register_page=*/false);
  const std::shared_ptr<Hypervisor> hypervisor = LoadBackend("mshv3");
  Machine machine(*hypervisor);

  fake_mshv::FailNextHvcall(0x5);
  const absl::Status set = machine.vcpu->SetGeneralRegisters(GeneralRegisters{});
  CHECK_THAT(Message(set), Catch::Contains("SetGeneralRegisters"));
  CHECK_THAT(Message(set), Catch::Contains("HVCALL_SET_VP_REGISTERS failed"));
  CHECK_THAT(Message(set), Catch::Contains("HV_STATUS_INVALID_PARAMETER"));

  // Overlaps are caught before the driver is asked, with both slots named.
  GuestMemory other;
  fake_mshv::TakeTranscript();
  const absl::Status overlap =
      machine.vm->MapMemory(1, 0x1000, other.bytes, 0x1000, MemoryAccess::kReadWrite);
  CHECK(absl::IsInvalidArgument(overlap));
  CHECK_THAT(Message(overlap), Catch::Contains("overlaps slot 0"));
  CHECK(fake_mshv::TakeTranscript().empty());

  // The driver's refusal (here: the same host pages mapped twice) is reported with its errno.
  const absl::Status twice =
      machine.vm->MapMemory(2, 0x400000, machine.memory.bytes, 0x1000, MemoryAccess::kReadOnly);
  CHECK_THAT(Message(twice), Catch::Contains("MapMemory slot 2: MSHV_SET_GUEST_MEMORY failed"));
  CHECK_THAT(Message(twice), Catch::Contains("File exists"));

  CHECK_FALSE(machine.vm->TakeDirtyPages(0).ok());
  CHECK_FALSE(machine.vm->CreateVcpu(0).ok());

  // Nothing scripted: the run fails with the driver's error.
  auto exit = machine.vcpu->Run();
  REQUIRE_FALSE(exit.ok());
  CHECK_THAT(Message(exit.status()), Catch::Contains("MSHV_RUN_VP failed"));
}

}  // namespace
}  // namespace vmbench::testing
