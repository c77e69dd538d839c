// whp_probe: checks, on a Windows host, that vmbench's whp backend can run a guest there.
//
// Built from the backend's Windows layer alone (no Abseil, no vmbench core), so it can be
// cross-compiled on Debian with mingw-w64 and copied to any x64 Windows machine as one .exe. It
// reports whether the Windows Hypervisor Platform is usable and, if so, runs a hand-made 64-bit
// guest through the same code the plugin uses and checks what the backend relies on but could not
// be verified without Windows: the OUT and HLT exits and where RIP is after them, running on after
// a HLT, cancelling a spinning guest from another thread and before a run, MMIO decoding, dirty
// page tracking (remapping with the flag, the bitmap's reset), two partitions in one process, and
// deleting a partition while its vCPU runs.
//
// Usage: whp_probe.exe. Exit code 0 when every check passes (or is skipped because the
// hypervisor lacks the feature), 1 when WHP is unavailable or a check fails.

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "vmbench/plugin/vcpu_types.h"
#include "whp_partition.h"
#include "whp_result.h"

namespace vmbench::whp {
namespace {

// Guest-physical layout: 2 MiB of memory at 0 (slot 0), identity-mapped with 2 MiB pages over
// 4 MiB, so that [2 MiB, 4 MiB) is mapped by the page tables but backed by nothing (MMIO).
constexpr std::uint64_t kMemorySize = 0x200000;
constexpr std::uint64_t kPml4 = 0x1000;
constexpr std::uint64_t kPdpt = 0x2000;
constexpr std::uint64_t kPageDirectory = 0x3000;
constexpr std::uint64_t kUnbacked = 0x300000;
constexpr std::uint64_t kDirtyTarget = 0x180008;  // in page 0x180

// Paging entries: present, writable, accessed (0x23); for 2 MiB pages also dirty and PS (0xE3).
// Accessed and dirty are preset so that the page walker never writes the page tables, which would
// otherwise show up in the dirty-page check.
constexpr std::uint64_t kTableEntry = 0x23;
constexpr std::uint64_t kLargePageEntry = 0xE3;

// The guest's code, one routine per check.
constexpr std::uint64_t kOutHaltCode = 0x10000;
constexpr std::uint8_t kOutHalt[] = {
    0xB0, 0x2A,  // mov al, 0x2a
    0xE6, 0x10,  // out 0x10, al
    0xF4,        // hlt
    0xB0, 0x2B,  // mov al, 0x2b
    0xE6, 0x10,  // out 0x10, al
    0xF4,        // hlt
};
constexpr std::uint64_t kAfterFirstOut = kOutHaltCode + 4;
constexpr std::uint64_t kAfterFirstHlt = kOutHaltCode + 5;

constexpr std::uint64_t kSpinCode = 0x10100;
constexpr std::uint8_t kSpin[] = {0xEB, 0xFE};  // jmp $

constexpr std::uint64_t kMmioWriteCode = 0x10200;
constexpr std::uint8_t kMmioWrite[] = {
    // mov dword [0x300010], 0xabcd1234
    0xC7, 0x04, 0x25, 0x10, 0x00, 0x30, 0x00, 0x34, 0x12, 0xCD, 0xAB,
    0xF4,  // hlt
};

constexpr std::uint64_t kMmioReadCode = 0x10300;
constexpr std::uint8_t kMmioRead[] = {
    0x48, 0x8B, 0x04, 0x25, 0x00, 0x00, 0x30, 0x00,  // mov rax, [0x300000]
    0xF4,                                            // hlt
};

constexpr std::uint64_t kDirtyCode = 0x10400;
constexpr std::uint8_t kDirty[] = {
    0xC6, 0x04, 0x25, 0x08, 0x00, 0x18, 0x00, 0x01,  // mov byte [0x180008], 1
    0xF4,                                            // hlt
};

// The counts and the report.
class Report {
 public:
  void Pass(const std::string& check) { Line("PASS", check, ""); }
  void Fail(const std::string& check, const std::string& why) {
    ++failed_;
    Line("FAIL", check, why);
  }
  void Skip(const std::string& check, const std::string& why) { Line("SKIP", check, why); }
  bool Check(bool ok, const std::string& check, const std::string& why) {
    if (ok) {
      Pass(check);
    } else {
      Fail(check, why);
    }
    return ok;
  }
  int failed() const { return failed_; }

 private:
  static void Line(const char* verdict, const std::string& check, const std::string& why) {
    std::printf("%-4s  %s%s%s\n", verdict, check.c_str(), why.empty() ? "" : ": ", why.c_str());
    std::fflush(stdout);
  }

  int failed_ = 0;
};

std::string Describe(const WhpResult<VcpuExit>& result) {
  if (!result.ok()) return "error: " + result.status().message();
  const VcpuExit& exit = *result;
  if (const auto* out = std::get_if<IoOutExit>(&exit)) {
    return "OUT to port " + Hex(out->port) + " of " + std::to_string(out->size) + " bytes, value " +
           Hex(out->value);
  }
  if (std::holds_alternative<HaltExit>(exit)) return "HLT";
  if (std::holds_alternative<CancelledExit>(exit)) return "cancelled";
  if (const auto* mmio = std::get_if<MmioExit>(&exit)) {
    return std::string("MMIO ") + (mmio->is_write ? "write" : "read") + " at " + Hex(mmio->gpa) +
           " of " + std::to_string(mmio->size) + " bytes, value " + Hex(mmio->value);
  }
  return "fault: " + std::get<FaultExit>(exit).detail;
}

bool IsOut(const WhpResult<VcpuExit>& result, std::uint16_t port, std::uint32_t value) {
  const auto* out = result.ok() ? std::get_if<IoOutExit>(&*result) : nullptr;
  return out != nullptr && out->port == port && out->size == 1 && out->value == value;
}

template <typename Exit>
bool Is(const WhpResult<VcpuExit>& result) {
  return result.ok() && std::holds_alternative<Exit>(*result);
}

// One partition with its memory, set up for 64-bit code.
struct Guest {
  std::unique_ptr<WhpPartition> partition;
  std::uint8_t* memory = nullptr;

  Guest() = default;
  Guest(const Guest&) = delete;
  Guest& operator=(const Guest&) = delete;
  ~Guest() {
    partition.reset();  // the mapping goes before the memory behind it
    if (memory != nullptr) ::VirtualFree(memory, 0, MEM_RELEASE);
  }

  void Write(std::uint64_t gpa, const void* bytes, std::size_t size) {
    std::memcpy(memory + gpa, bytes, size);
  }
  void WriteEntry(std::uint64_t gpa, std::uint64_t entry) { Write(gpa, &entry, sizeof(entry)); }

  WhpStatus SetRip(std::uint64_t rip) {
    GeneralRegisters regs;
    regs.rip = rip;
    return partition->SetGeneralRegisters(regs);
  }
  std::uint64_t Rip() {
    const WhpResult<GeneralRegisters> regs = partition->GetGeneralRegisters();
    return regs.ok() ? regs->rip : ~std::uint64_t{0};
  }
};

Segment FlatSegment(std::uint16_t selector, std::uint8_t type, bool code) {
  Segment segment;
  segment.limit = 0xFFFFFFFF;
  segment.selector = selector;
  segment.type = type;
  segment.present = true;
  segment.s = true;
  segment.l = code;
  segment.db = !code;
  segment.g = true;
  return segment;
}

// Memory, page tables and code; the partition, its mapping and vCPU; the long-mode registers
// (CR0 PE|MP|ET|NE|WP|PG, CR4 PAE|OSFXSR|OSXMMEXCPT, EFER LME|LMA, flat CS/data, busy TSS).
WhpStatus SetUp(Guest& guest) {
  WhpResult<std::unique_ptr<WhpPartition>> partition = WhpPartition::Create();
  if (!partition.ok()) return partition.status();
  guest.partition = std::move(*partition);
  guest.memory = static_cast<std::uint8_t*>(
      ::VirtualAlloc(nullptr, kMemorySize, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE));
  if (guest.memory == nullptr) {
    return WhpStatus::Error(WhpErrorKind::kInternal,
                            "whp_probe: VirtualAlloc of the guest memory failed: " +
                                DescribeHresult(HRESULT_FROM_WIN32(::GetLastError())));
  }
  guest.WriteEntry(kPml4, kPdpt | kTableEntry);
  guest.WriteEntry(kPdpt, kPageDirectory | kTableEntry);
  guest.WriteEntry(kPageDirectory, 0x000000 | kLargePageEntry);
  guest.WriteEntry(kPageDirectory + 8, 0x200000 | kLargePageEntry);
  guest.Write(kOutHaltCode, kOutHalt, sizeof(kOutHalt));
  guest.Write(kSpinCode, kSpin, sizeof(kSpin));
  guest.Write(kMmioWriteCode, kMmioWrite, sizeof(kMmioWrite));
  guest.Write(kMmioReadCode, kMmioRead, sizeof(kMmioRead));
  guest.Write(kDirtyCode, kDirty, sizeof(kDirty));

  WhpPartition& vm = *guest.partition;
  if (WhpStatus status = vm.MapMemory(0, 0, guest.memory, kMemorySize, MemoryAccess::kReadWrite);
      !status.ok()) {
    return status;
  }
  if (WhpStatus status = vm.CreateVcpu(); !status.ok()) return status;
  WhpResult<SpecialRegisters> sregs = vm.GetSpecialRegisters();
  if (!sregs.ok()) return sregs.status();
  sregs->cr0 = 0x80010033;
  sregs->cr3 = kPml4;
  sregs->cr4 = 0x620;
  sregs->efer = 0x500;
  sregs->cs = FlatSegment(0x08, 0xB, true);
  sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss = FlatSegment(0x10, 0x3, false);
  sregs->tr = Segment{.limit = 0x67, .type = 0xB, .present = true};
  sregs->ldt = Segment{};
  return vm.SetSpecialRegisters(*sregs);
}

// Calls Interrupt on `partition` after `delay_ms`, and again every 500 ms after 5 s should Run
// not have returned by then (so that a lost interrupt fails the check instead of hanging it).
struct Canceller {
  WhpPartition* partition;
  DWORD delay_ms;
  std::atomic<bool> returned{false};
  std::atomic<bool> repeated{false};
};

DWORD WINAPI CancelLater(void* context) {
  Canceller& canceller = *static_cast<Canceller*>(context);
  ::Sleep(canceller.delay_ms);
  canceller.partition->Interrupt();
  for (DWORD waited = 0; !canceller.returned.load(); waited += 10) {
    if (waited >= 5000 && waited % 500 == 0) {
      canceller.repeated.store(true);
      canceller.partition->Interrupt();
    }
    ::Sleep(10);
  }
  return 0;
}

// Runs `partition` on a thread of its own, for the deletion check.
struct Runner {
  WhpPartition* partition;
  std::optional<WhpResult<VcpuExit>> result = std::nullopt;
};

DWORD WINAPI RunOnThread(void* context) {
  Runner& runner = *static_cast<Runner*>(context);
  runner.result = runner.partition->Run();
  return 0;
}

void CheckOutAndHalt(Guest& guest, Report& report) {
  WhpPartition& vm = *guest.partition;
  if (WhpStatus status = guest.SetRip(kOutHaltCode); !status.ok()) {
    report.Fail("OUT exit", status.message());
    return;
  }
  WhpResult<VcpuExit> exit = vm.Run();
  report.Check(IsOut(exit, 0x10, 0x2A), "OUT exit: port 0x10, 1 byte, value 0x2a", Describe(exit));
  const std::uint64_t after_out = guest.Rip();
  report.Check(after_out == kAfterFirstOut, "RIP after the OUT (the backend advances it)",
               "rip " + Hex(after_out) + ", expected " + Hex(kAfterFirstOut));

  exit = vm.Run();
  report.Check(Is<HaltExit>(exit), "HLT exit", Describe(exit));
  const std::uint64_t after_hlt = guest.Rip();
  report.Check(after_hlt == kAfterFirstHlt, "RIP after the HLT as WHP reports it",
               "rip " + Hex(after_hlt) + ", expected " + Hex(kAfterFirstHlt) +
                   (after_hlt == kAfterFirstOut
                        ? " (WHP leaves RIP at the HLT: the backend must advance it at "
                          "X64Halt exits; please report this to the vmbench developers)"
                        : ""));

  exit = vm.Run();
  report.Check(IsOut(exit, 0x10, 0x2B), "Run after a HLT resumes after it", Describe(exit));
  exit = vm.Run();
  report.Check(Is<HaltExit>(exit), "second HLT exit", Describe(exit));
}

void CheckCancel(Guest& guest, Report& report) {
  WhpPartition& vm = *guest.partition;
  if (WhpStatus status = guest.SetRip(kSpinCode); !status.ok()) {
    report.Fail("cancel a spinning guest", status.message());
    return;
  }
  Canceller canceller{.partition = &vm, .delay_ms = 100};
  HANDLE thread = ::CreateThread(nullptr, 0, &CancelLater, &canceller, 0, nullptr);
  if (thread == nullptr) {
    report.Fail("cancel a spinning guest", "CreateThread failed");
    return;
  }
  const ULONGLONG start = ::GetTickCount64();
  const WhpResult<VcpuExit> exit = vm.Run();
  const ULONGLONG elapsed = ::GetTickCount64() - start;
  canceller.returned.store(true);
  ::WaitForSingleObject(thread, INFINITE);
  ::CloseHandle(thread);
  report.Check(
      Is<CancelledExit>(exit) && !canceller.repeated.load(),
      "Interrupt from another thread cancels a spinning guest (" + std::to_string(elapsed) +
          " ms after Run began, 100 ms after it)",
      Describe(exit) + (canceller.repeated.load() ? " (only after repeated interrupts)" : ""));
  const std::uint64_t rip = guest.Rip();
  report.Check(rip == kSpinCode, "RIP at the spinning jmp after the cancel", "rip " + Hex(rip));

  // Before a run: that run is cancelled and no instruction executes; the run after it is normal,
  // even if WHP kept the cancel (sticky) and reports it once more.
  if (WhpStatus status = guest.SetRip(kOutHaltCode); !status.ok()) {
    report.Fail("Interrupt before Run", status.message());
    return;
  }
  vm.Interrupt();
  WhpResult<VcpuExit> before = vm.Run();
  report.Check(Is<CancelledExit>(before) && guest.Rip() == kOutHaltCode,
               "Interrupt before Run cancels that Run before any instruction", Describe(before));
  WhpResult<VcpuExit> next = vm.Run();
  report.Check(IsOut(next, 0x10, 0x2A), "the Run after a cancelled one runs normally",
               Describe(next));
  vm.Interrupt();
  vm.ClearInterrupt();
  next = vm.Run();
  report.Check(Is<HaltExit>(next), "ClearInterrupt drops a pending interrupt", Describe(next));
}

void CheckMmio(Guest& guest, Report& report) {
  WhpPartition& vm = *guest.partition;
  if (WhpStatus status = guest.SetRip(kMmioWriteCode); !status.ok()) {
    report.Fail("MMIO write", status.message());
    return;
  }
  WhpResult<VcpuExit> exit = vm.Run();
  const auto* write = exit.ok() ? std::get_if<MmioExit>(&*exit) : nullptr;
  report.Check(write != nullptr && write->gpa == kUnbacked + 0x10 && write->size == 4 &&
                   write->is_write && write->value == 0xABCD1234,
               "MMIO write decoded: 4 bytes of 0xabcd1234 at 0x300010", Describe(exit));
  report.Check(guest.Rip() == kMmioWriteCode, "RIP stays at the MMIO instruction",
               "rip " + Hex(guest.Rip()));

  if (WhpStatus status = guest.SetRip(kMmioReadCode); !status.ok()) {
    report.Fail("MMIO read", status.message());
    return;
  }
  exit = vm.Run();
  const auto* read = exit.ok() ? std::get_if<MmioExit>(&*exit) : nullptr;
  report.Check(read != nullptr && read->gpa == kUnbacked && read->size == 8 && !read->is_write,
               "MMIO read decoded: 8 bytes at 0x300000", Describe(exit));
}

void CheckDirtyTracking(Guest& guest, bool supported, Report& report) {
  if (!supported) {
    report.Skip("dirty-page tracking",
                "the hypervisor does not offer it (WHvCapabilityCodeFeatures.DirtyPageTracking)");
    return;
  }
  WhpPartition& vm = *guest.partition;
  // Enabled after the guest has run, as a sandbox does before its first snapshot: the slot is
  // mapped again with WHvMapGpaRangeFlagTrackDirtyPages.
  if (WhpStatus status = vm.EnableDirtyTracking(0); !status.ok()) {
    report.Fail("dirty-page tracking: enable on a mapped slot", status.message());
    return;
  }
  report.Pass("dirty-page tracking: enable on a mapped slot (remapped with the flag)");
  if (WhpStatus status = guest.SetRip(kDirtyCode); !status.ok()) {
    report.Fail("dirty-page tracking", status.message());
    return;
  }
  const WhpResult<VcpuExit> exit = vm.Run();
  if (!report.Check(Is<HaltExit>(exit), "dirty-page tracking: the guest writes one byte",
                    Describe(exit))) {
    return;
  }
  std::uint8_t byte = 0;
  std::memcpy(&byte, guest.memory + kDirtyTarget, 1);
  report.Check(byte == 1, "the guest's write reached the host memory after the remap",
               "byte " + Hex(byte));

  const WhpResult<std::vector<std::uint64_t>> dirty = vm.TakeDirtyPages(0);
  std::vector<std::uint64_t> expected(kMemorySize / 0x1000 / 64);
  const std::uint64_t page = kDirtyTarget / 0x1000;
  expected[page / 64] |= std::uint64_t{1} << (page % 64);
  std::string got;
  if (!dirty.ok()) {
    got = dirty.status().message();
  } else {
    for (std::size_t word = 0; word < dirty->size(); ++word) {
      for (int bit = 0; bit < 64; ++bit) {
        if (((*dirty)[word] >> bit & 1) != 0) got += " page " + Hex(word * 64 + bit);
      }
    }
    got = "dirty:" + (got.empty() ? std::string(" none") : got);
  }
  report.Check(dirty.ok() && *dirty == expected, "exactly the written page is dirty (page 0x180)",
               got);
  const WhpResult<std::vector<std::uint64_t>> again = vm.TakeDirtyPages(0);
  report.Check(again.ok() && *again == std::vector<std::uint64_t>(expected.size()),
               "taking the dirty pages clears them",
               again.ok() ? "pages still dirty" : again.status().message());
}

void CheckSecondPartitionAndDelete(Report& report) {
  Guest second;
  if (WhpStatus status = SetUp(second); !status.ok()) {
    report.Fail("a second partition in the same process", status.message());
    return;
  }
  if (WhpStatus status = second.SetRip(kOutHaltCode); !status.ok()) {
    report.Fail("a second partition in the same process", status.message());
    return;
  }
  const WhpResult<VcpuExit> exit = second.partition->Run();
  report.Check(IsOut(exit, 0x10, 0x2A), "a second partition runs beside the first", Describe(exit));

  // Delete while the vCPU spins on another thread: the Run must return, with an error.
  if (WhpStatus status = second.SetRip(kSpinCode); !status.ok()) {
    report.Fail("Delete while the vCPU runs", status.message());
    return;
  }
  Runner runner{.partition = second.partition.get()};
  HANDLE thread = ::CreateThread(nullptr, 0, &RunOnThread, &runner, 0, nullptr);
  if (thread == nullptr) {
    report.Fail("Delete while the vCPU runs", "CreateThread failed");
    return;
  }
  ::Sleep(100);
  second.partition->Delete();
  const bool returned = ::WaitForSingleObject(thread, 10000) == WAIT_OBJECT_0;
  if (!returned) {
    report.Fail("Delete while the vCPU runs", "Run did not return within 10 s");
    std::fflush(stdout);
    // The thread still uses the partition: leaving now is the only safe way out.
    ::ExitProcess(1);
  }
  ::CloseHandle(thread);
  report.Check(runner.result.has_value() && !runner.result->ok(),
               "Delete while the vCPU runs makes Run return an error",
               runner.result.has_value() ? Describe(*runner.result) : "no result");
  const WhpStatus after =
      second.partition->MapMemory(1, 0x400000, second.memory, 0x1000, MemoryAccess::kReadWrite);
  report.Check(!after.ok(), "calls after Delete fail cleanly", after.message());
}

int Main() {
  std::printf("whp_probe: Windows Hypervisor Platform checks for vmbench's whp backend\n");
  std::printf("Windows %s\n", WindowsVersion().c_str());
  const WhpAvailability availability = ProbeWhp();
  if (!availability.available) {
    std::printf("unavailable: %s\n", availability.reason.c_str());
    return 1;
  }
  std::printf("available; dirty-page tracking: %s\n", availability.dirty_tracking ? "yes" : "no");

  Report report;
  Guest guest;
  if (WhpStatus status = SetUp(guest); !status.ok()) {
    report.Fail("create a partition, map memory, create the vCPU in 64-bit mode", status.message());
    return 1;
  }
  report.Pass("create a partition, map memory, create the vCPU in 64-bit mode");
  CheckOutAndHalt(guest, report);
  CheckCancel(guest, report);
  CheckMmio(guest, report);
  CheckDirtyTracking(guest, availability.dirty_tracking, report);
  CheckSecondPartitionAndDelete(report);

  std::printf("%s: %d check(s) failed\n", report.failed() == 0 ? "OK" : "FAILED", report.failed());
  return report.failed() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace vmbench::whp

int main() { return vmbench::whp::Main(); }
