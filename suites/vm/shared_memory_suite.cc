// The `shared_memory` suite (reference section 3.8): fill, copy out of and copy into a sandbox's
// shared-memory object (anonymous, demand-zero, a guard page on each side), for 1 MiB and 64 MiB,
// next to plain memset/memcpy on buffers of the same size, so one run shows how close the
// bounds-checked operations come to the C library. The host only touches guest memory while the
// vCPU is stopped, so plain memcpy is safe here (the reference uses volatile 16-byte loops).

#include <cstring>

#include "vm_suite.h"

namespace vmbench::vm_suites {
namespace {

using sandbox::SharedMemory;

struct Size {
  const char* name;
  std::size_t bytes;
};
constexpr Size kSizesBytes[] = {{"1MB", std::size_t{1} << 20}, {"64MB", std::size_t{64} << 20}};

enum class Op { kFill, kCopyToSlice, kCopyFromSlice, kMemcpy, kMemset };

// Creates the shared memory and the private buffer, touching both once so that the timed loop
// measures copies, not page faults.
Body MemoryBody(Op op, std::size_t size) {
  return [=](benchmark::State& state) {
    absl::StatusOr<SharedMemory> shared = SharedMemory::Create(size);
    if (!Check(state, shared, "create shared memory")) return;
    std::vector<std::uint8_t> local(size, 0xCD);
    std::memset(shared->base(), 0, size);
    for (auto _ : state) {
      absl::Status status;
      switch (op) {
        case Op::kFill:
          status = shared->Fill(0xAB, 0, size);
          break;
        case Op::kCopyToSlice:
          status = shared->CopyToSlice(local, 0);
          break;
        case Op::kCopyFromSlice:
          status = shared->CopyFromSlice(local, 0);
          break;
        case Op::kMemcpy:
          std::memcpy(local.data(), shared->base(), size);
          break;
        case Op::kMemset:
          std::memset(shared->base(), 0xAB, size);
          break;
      }
      benchmark::ClobberMemory();
      if (!Check(state, status, "shared memory")) break;
    }
  };
}

class SharedMemorySuite final : public Suite {
 public:
  bool NeedsHypervisor() const noexcept override { return false; }

  absl::StatusOr<std::vector<BenchmarkSpec>> Benchmarks(
      const SuiteContext& context) noexcept override {
    VMB_RETURN_IF_ERROR(CheckOptions("shared_memory", context.options, {}));
    struct Function {
      const char* name;
      Op op;
    };
    constexpr Function kFunctions[] = {{"fill", Op::kFill},
                                       {"copy_to_slice", Op::kCopyToSlice},
                                       {"copy_from_slice", Op::kCopyFromSlice},
                                       {"memcpy_reference", Op::kMemcpy},
                                       {"memset_reference", Op::kMemset}};
    std::vector<BenchmarkSpec> specs;
    for (const Function& function : kFunctions) {
      for (const Size& size : kSizesBytes) {
        specs.push_back(Spec("shared_memory", function.name, size.name,
                             MemoryBody(function.op, size.bytes),
                             {Throughput::Kind::kBytes, size.bytes}));
      }
    }
    return specs;
  }
};

}  // namespace
}  // namespace vmbench::vm_suites

VMBENCH_PLUGIN(vmbench::vm_suites::SharedMemorySuite, "shared_memory", "0.1.0",
               "Fill and copies on a sandbox's guarded shared memory, against memset/memcpy");
