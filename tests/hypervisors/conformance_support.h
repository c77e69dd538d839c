// Helpers for the hypervisor backend tests: loading a backend plugin (or skipping visibly when it
// is not built or not usable here), a guest in 64-bit mode with identity-mapped memory, and a tiny
// x86-64 assembler for hand-written guest code.
//
// A backend that is not built or not usable here skips the test visibly through
// testing::SkipTest (test_support.h): "SKIPPED: <backend>: <reason>", and exit code 77, which
// CTest reports as "Skipped", never as "Passed".

#ifndef VMBENCH_TESTS_HYPERVISORS_CONFORMANCE_SUPPORT_H_
#define VMBENCH_TESTS_HYPERVISORS_CONFORMANCE_SUPPORT_H_

#include <sys/mman.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "plugin_loader.h"
#include "registry.h"
#include "test_support.h"
#include "vmbench/plugin/hypervisor.h"
#include "vmbench/sandbox/guest_abi.h"
#include "vmbench/x86/x86_long_mode.h"

namespace vmbench::testing {

// Skips the running test: `backend` cannot run this check here, for `reason`.
[[noreturn]] inline void SkipBackend(const std::string& backend, const std::string& reason) {
  SkipTest(backend + ": " + reason);
}

// The hypervisor backend plugin `name` of this build, through core's loader and registry, whether
// or not it can run here. Skips the test when the plugin was not built; a plugin file that does
// not load is a failure.
inline std::shared_ptr<Hypervisor> LoadBackendPlugin(const std::string& name) {
  const std::filesystem::path path = PluginDir() / ("libvmbench_hypervisor_" + name + ".so");
  if (!std::filesystem::exists(path)) {
    SkipBackend(name, "plugin not built (no " + path.string() + ")");
  }
  LoadOutcome outcome = LoadPluginFile(path);
  if (outcome.plugin == nullptr) FAIL(outcome.rejection.ToString());
  ScanResult scan;
  scan.plugins.push_back(std::move(*outcome.plugin));
  std::vector<Rejection> rejections;
  const Registry registry = Registry::Build(std::move(scan), &rejections);
  if (!rejections.empty()) FAIL(rejections.front().ToString());
  std::shared_ptr<Hypervisor> hypervisor = registry.FindHypervisor(name);
  REQUIRE(hypervisor != nullptr);
  return hypervisor;
}

// LoadBackendPlugin, and skips the test when the backend says it is unavailable here.
inline std::shared_ptr<Hypervisor> LoadBackend(const std::string& name) {
  std::shared_ptr<Hypervisor> hypervisor = LoadBackendPlugin(name);
  const Availability availability = hypervisor->CheckAvailability();
  if (!availability.available) SkipBackend(name, availability.reason);
  return hypervisor;
}

// A readable description of an exit, for assertion messages.
inline std::string Describe(const VcpuExit& exit) {
  std::ostringstream out;
  out << std::hex;
  if (const auto* io = std::get_if<IoOutExit>(&exit)) {
    out << "IoOutExit{port 0x" << io->port << ", size " << int{io->size} << ", value 0x"
        << io->value << "}";
  } else if (std::holds_alternative<HaltExit>(exit)) {
    out << "HaltExit";
  } else if (std::holds_alternative<CancelledExit>(exit)) {
    out << "CancelledExit";
  } else if (const auto* mmio = std::get_if<MmioExit>(&exit)) {
    out << "MmioExit{gpa 0x" << mmio->gpa << ", size " << int{mmio->size};
    if (mmio->is_write) {
      out << ", write 0x" << mmio->value << "}";
    } else {
      out << ", read}";
    }
  } else if (const auto* fault = std::get_if<FaultExit>(&exit)) {
    out << "FaultExit{kind " << static_cast<int>(fault->kind) << ", vector " << int{fault->vector}
        << ", rip 0x" << fault->rip << ", " << fault->detail << "}";
  }
  return out.str();
}

// A copy of the exit as a T, failing the test (and describing the exit) when it is something else.
template <typename T>
T ExitAs(const VcpuExit& exit) {
  INFO("exit: " << Describe(exit));
  REQUIRE(std::holds_alternative<T>(exit));
  return std::get<T>(exit);
}

// Checks an IoOutExit.
inline void CheckOut(const VcpuExit& exit, std::uint16_t port, std::uint8_t size,
                     std::uint32_t value) {
  const IoOutExit& io = ExitAs<IoOutExit>(exit);
  CHECK(io.port == port);
  CHECK(int{io.size} == int{size});
  CHECK(io.value == value);
}

// Hand-assembled x86-64 code. Each method appends one instruction (encodings from the Intel SDM
// Vol. 2); Offset() is where the next one goes.
class Code {
 public:
  Code& MovEax(std::uint32_t value) { return Byte(0xB8).Imm32(value); }           // mov eax, imm32
  Code& MovEcx(std::uint32_t value) { return Byte(0xB9).Imm32(value); }           // mov ecx, imm32
  Code& MovEdx(std::uint32_t value) { return Byte(0xBA).Imm32(value); }           // mov edx, imm32
  Code& MovAl(std::uint8_t value) { return Bytes({0xB0, value}); }                // mov al, imm8
  Code& MovRax(std::uint64_t value) { return Bytes({0x48, 0xB8}).Imm64(value); }  // mov rax, imm64
  Code& ShrRax(std::uint8_t bits) { return Bytes({0x48, 0xC1, 0xE8, bits}); }     // shr rax, imm8
  Code& MovRaxCr0() { return Bytes({0x0F, 0x20, 0xC0}); }                         // mov rax, cr0
  Code& Rdmsr() { return Bytes({0x0F, 0x32}); }                                   // rdmsr
  Code& OutDxAl() { return Byte(0xEE); }                                          // out dx, al
  Code& OutDxAx() { return Bytes({0x66, 0xEF}); }                                 // out dx, ax
  Code& OutDxEax() { return Byte(0xEF); }                                         // out dx, eax
  Code& InAlDx() { return Byte(0xEC); }                                           // in al, dx
  Code& Hlt() { return Byte(0xF4); }                                              // hlt
  Code& Nop() { return Byte(0x90); }                                              // nop
  Code& Ud2() { return Bytes({0x0F, 0x0B}); }                                     // ud2
  Code& XorEcxEcx() { return Bytes({0x31, 0xC9}); }                               // xor ecx, ecx
  Code& DivEcx() { return Bytes({0xF7, 0xF1}); }                                  // div ecx
  Code& Int3() { return Byte(0xCC); }                                             // int3
  Code& JmpSelf() { return Bytes({0xEB, 0xFE}); }                                 // jmp $
  Code& JmpNext() { return Bytes({0xEB, 0x00}); }  // jmp to the next instruction
  // jmp rel8 to the instruction at `offset` (within 128 bytes back).
  Code& JmpTo(std::size_t offset) {
    const auto rel = static_cast<std::int8_t>(static_cast<std::int64_t>(offset) -
                                              static_cast<std::int64_t>(Offset() + 2));
    return Bytes({0xEB, static_cast<std::uint8_t>(rel)});
  }
  // mov rax, [address] / mov byte [address], imm8 / mov dword [address], imm32, with an
  // absolute 32-bit address (ModRM 04, SIB 25: no base, no index; below 2 GiB).
  Code& LoadRax(std::uint32_t address) { return Bytes({0x48, 0x8B, 0x04, 0x25}).Imm32(address); }
  Code& StoreByte(std::uint32_t address, std::uint8_t value) {
    return Bytes({0xC6, 0x04, 0x25}).Imm32(address).Byte(value);
  }
  Code& StoreDword(std::uint32_t address, std::uint32_t value) {
    return Bytes({0xC7, 0x04, 0x25}).Imm32(address).Imm32(value);
  }

  std::size_t Offset() const { return bytes_.size(); }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

 private:
  Code& Byte(std::uint8_t byte) {
    bytes_.push_back(byte);
    return *this;
  }
  Code& Bytes(std::initializer_list<std::uint8_t> bytes) {
    bytes_.insert(bytes_.end(), bytes);
    return *this;
  }
  Code& Imm32(std::uint32_t value) {
    for (int i = 0; i < 4; ++i) Byte(static_cast<std::uint8_t>(value >> (8 * i)));
    return *this;
  }
  Code& Imm64(std::uint64_t value) {
    for (int i = 0; i < 8; ++i) Byte(static_cast<std::uint8_t>(value >> (8 * i)));
    return *this;
  }

  std::vector<std::uint8_t> bytes_;
};

// Anonymous, page-aligned, demand-zero host memory for a guest.
class GuestBuffer {
 public:
  explicit GuestBuffer(std::size_t size)
      : size_(size),
        data_(::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) {
    REQUIRE(data_ != MAP_FAILED);
  }
  GuestBuffer(const GuestBuffer&) = delete;
  GuestBuffer& operator=(const GuestBuffer&) = delete;
  ~GuestBuffer() { ::munmap(data_, size_); }

  std::uint8_t* data() const { return static_cast<std::uint8_t*>(data_); }
  std::size_t size() const { return size_; }

 private:
  std::size_t size_;
  void* data_;
};

// Where the test guests put things, in the guest ABI's layout.
inline constexpr std::uint64_t kGuestMemorySize = 0x400000;    // 4 MiB at GPA 0, slot 0
inline constexpr std::uint64_t kIdentityMapSize = 0x40000000;  // 1 GiB: beyond 4 MiB is MMIO
inline constexpr std::uint64_t kCodeGpa = VMB_IMAGE_GPA;
inline constexpr std::uint64_t kStackTop = 0x200000;
// Mapped by the page tables but backed by no memory slot.
inline constexpr std::uint32_t kUnbackedGpa = 0x10000000;

// One VM of `hypervisor` with its vCPU in 64-bit mode: kGuestMemorySize bytes of guest memory in
// slot 0 at GPA 0, page tables identity-mapping the first GiB at the guest ABI's addresses, RSP at
// kStackTop. Every step REQUIREs success.
class TestGuest {
 public:
  explicit TestGuest(std::shared_ptr<Hypervisor> hypervisor)
      : hypervisor_(std::move(hypervisor)), memory_(kGuestMemorySize) {
    absl::StatusOr<std::unique_ptr<Vm>> vm = hypervisor_->CreateVm();
    REQUIRE(vm.status().ToString() == "OK");
    vm_ = *std::move(vm);
    const absl::Status mapped =
        vm_->MapMemory(0, 0, memory_.data(), memory_.size(), MemoryAccess::kReadWrite);
    REQUIRE(mapped.ToString() == "OK");
    WritePageTables({VMB_PML4_GPA, VMB_PDPT_GPA, VMB_PAGE_DIRECTORY_GPA}, kIdentityMapSize);
    absl::StatusOr<std::unique_ptr<Vcpu>> vcpu = vm_->CreateVcpu(0);
    REQUIRE(vcpu.status().ToString() == "OK");
    vcpu_ = *std::move(vcpu);

    absl::StatusOr<SpecialRegisters> reset = vcpu_->GetSpecialRegisters();
    REQUIRE(reset.status().ToString() == "OK");
    absl::StatusOr<SpecialRegisters> sregs = x86::LongModeSpecialRegisters(*reset, VMB_PML4_GPA);
    REQUIRE(sregs.status().ToString() == "OK");
    const absl::Status set = vcpu_->SetSpecialRegisters(*sregs);
    REQUIRE(set.ToString() == "OK");
    GeneralRegisters regs;
    regs.rip = kCodeGpa;
    regs.rsp = kStackTop;
    SetRegisters(regs);
  }

  Vm& vm() { return *vm_; }
  Vcpu& vcpu() { return *vcpu_; }
  std::uint8_t* memory() { return memory_.data(); }

  // Writes identity-mapping page tables for [0, mapped_bytes) at `layout`.
  void WritePageTables(const x86::PageTableLayout& layout, std::uint64_t mapped_bytes) {
    const absl::Status written =
        x86::WriteIdentityPageTables({{memory_.data(), memory_.size()}, 0}, layout, mapped_bytes);
    REQUIRE(written.ToString() == "OK");
  }

  // Copies `code` to guest-physical `gpa`.
  void Load(std::uint64_t gpa, const Code& code) {
    std::memcpy(memory_.data() + gpa, code.bytes().data(), code.bytes().size());
  }

  GeneralRegisters Registers() {
    absl::StatusOr<GeneralRegisters> regs = vcpu_->GetGeneralRegisters();
    REQUIRE(regs.status().ToString() == "OK");
    return *regs;
  }
  void SetRegisters(const GeneralRegisters& regs) {
    const absl::Status set = vcpu_->SetGeneralRegisters(regs);
    REQUIRE(set.ToString() == "OK");
  }
  SpecialRegisters SpecialRegs() {
    absl::StatusOr<SpecialRegisters> sregs = vcpu_->GetSpecialRegisters();
    REQUIRE(sregs.status().ToString() == "OK");
    return *sregs;
  }
  void SetRip(std::uint64_t rip) {
    GeneralRegisters regs = Registers();
    regs.rip = rip;
    SetRegisters(regs);
  }
  std::uint64_t Rip() { return Registers().rip; }

  VcpuExit Run() {
    absl::StatusOr<VcpuExit> exit = vcpu_->Run();
    REQUIRE(exit.status().ToString() == "OK");
    return *std::move(exit);
  }

 private:
  // Destroyed in reverse order: vCPU, VM, memory, and the plugin last.
  std::shared_ptr<Hypervisor> hypervisor_;
  GuestBuffer memory_;
  std::unique_ptr<Vm> vm_;
  std::unique_ptr<Vcpu> vcpu_;
};

}  // namespace vmbench::testing

#endif  // VMBENCH_TESTS_HYPERVISORS_CONFORMANCE_SUPPORT_H_
