// The `vcpu_exits` suite (new, not in the reference): the floor a backend imposes on every guest
// call, measured on a bare VM (2 MiB of memory, identity map, a two-instruction loop, no sandbox):
// one OUT exit and re-entry, and one HLT exit and re-entry. Reports put guest_calls/call next to
// io_out_roundtrip to show how close a call comes to the hypervisor's limit.

#include "vm_suite.h"
#include "vmbench/sandbox/guest_abi.h"
#include "vmbench/x86/x86_long_mode.h"

namespace vmbench::vm_suites {
namespace {

constexpr std::uint64_t kMemorySize = 0x200000;
constexpr std::uint64_t kCodeGpa = VMB_IMAGE_GPA;
constexpr std::uint16_t kPort = 0x80;

// mov edx, 0x80; loop: out dx, eax; jmp loop
const std::vector<std::uint8_t> kOutLoop = {0xBA, 0x80, 0x00, 0x00, 0x00, 0xEF, 0xEB, 0xFD};
// loop: hlt; jmp loop
const std::vector<std::uint8_t> kHaltLoop = {0xF4, 0xEB, 0xFD};

// A VM with one vCPU about to run `code` in long mode.
struct BareVm {
  sandbox::SharedMemory memory;
  std::unique_ptr<Vm> vm;
  std::unique_ptr<Vcpu> vcpu;
};

absl::StatusOr<BareVm> MakeBareVm(Hypervisor& hypervisor, const std::vector<std::uint8_t>& code) {
  BareVm bare;
  VMB_ASSIGN_OR_RETURN(bare.memory, sandbox::SharedMemory::Create(kMemorySize));
  VMB_RETURN_IF_ERROR(x86::WriteIdentityPageTables(
      {bare.memory.bytes(), 0}, {VMB_PML4_GPA, VMB_PDPT_GPA, VMB_PAGE_DIRECTORY_GPA}, kMemorySize));
  VMB_RETURN_IF_ERROR(bare.memory.CopyFromSlice(code, kCodeGpa));
  VMB_ASSIGN_OR_RETURN(bare.vm, hypervisor.CreateVm());
  VMB_RETURN_IF_ERROR(
      bare.vm->MapMemory(0, 0, bare.memory.base(), kMemorySize, MemoryAccess::kReadWrite));
  VMB_ASSIGN_OR_RETURN(bare.vcpu, bare.vm->CreateVcpu(0));
  VMB_ASSIGN_OR_RETURN(const SpecialRegisters reset, bare.vcpu->GetSpecialRegisters());
  VMB_ASSIGN_OR_RETURN(const SpecialRegisters long_mode,
                       x86::LongModeSpecialRegisters(reset, VMB_PML4_GPA));
  VMB_RETURN_IF_ERROR(bare.vcpu->SetSpecialRegisters(long_mode));
  GeneralRegisters regs;
  regs.rip = kCodeGpa;
  regs.rsp = kMemorySize;
  VMB_RETURN_IF_ERROR(bare.vcpu->SetGeneralRegisters(regs));
  return bare;
}

template <typename Exit>
Body RoundTripBody(Hypervisor* hypervisor, const std::vector<std::uint8_t>* code) {
  return [=](benchmark::State& state) {
    absl::StatusOr<BareVm> bare = MakeBareVm(*hypervisor, *code);
    if (!Check(state, bare, "bare VM")) return;
    for (auto _ : state) {
      absl::StatusOr<VcpuExit> exit = bare->vcpu->Run();
      if (!Check(state, exit, "run")) break;
      if (!std::holds_alternative<Exit>(*exit)) {
        state.SkipWithError("the vCPU stopped for another reason than the loop's exit");
        break;
      }
    }
    // Drop in order: vCPU and VM before the memory they map.
    bare->vcpu.reset();
    bare->vm.reset();
  };
}

class VcpuExitsSuite final : public Suite {
 public:
  bool NeedsHypervisor() const noexcept override { return true; }

  absl::StatusOr<std::vector<BenchmarkSpec>> Benchmarks(
      const SuiteContext& context) noexcept override {
    VMB_RETURN_IF_ERROR(CheckOptions("vcpu_exits", context.options, {}));
    static_assert(kPort != VMB_PORT_DONE && kPort != VMB_PORT_HOST_CALL);
    return std::vector<BenchmarkSpec>{
        Spec("vcpu_exits", "io_out_roundtrip", "",
             RoundTripBody<IoOutExit>(context.hypervisor, &kOutLoop)),
        Spec("vcpu_exits", "halt_roundtrip", "",
             RoundTripBody<HaltExit>(context.hypervisor, &kHaltLoop))};
  }
};

}  // namespace
}  // namespace vmbench::vm_suites

VMBENCH_PLUGIN(vmbench::vm_suites::VcpuExitsSuite, "vcpu_exits", "0.1.0",
               "The cost of one OUT and one HLT exit and re-entry on a bare VM");
