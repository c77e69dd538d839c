// The micro-VM sandbox runtime: guest memory with the guest image loaded, a VM and one vCPU on
// any hypervisor backend, guest function calls, host functions the guest calls back, snapshots,
// and interrupting a call from another thread. The suites measure exactly these operations.
//
//   auto u = UninitializedSandbox::Create(hypervisor, *SandboxConfig::Named("default"));
//   u->RegisterHostFunction("HostAdd", MakeHostFunction<std::int32_t, std::int32_t, std::int32_t>(
//                                          [](std::int32_t a, std::int32_t b) { return a + b; }));
//   absl::StatusOr<Sandbox> sandbox = std::move(*u).Initialize();
//   absl::StatusOr<Value> sum = sandbox->Call("Add", {Value{1}, Value{41}});   // 42
//
// Costs, because the reference implementation pays for sandbox size: creation maps demand-zero
// memory and writes only the page tables, the boot information and the guest image; a snapshot
// copies, and a restore writes back, only the pages dirtied since the last snapshot or restore
// (the backend's dirty-page log plus the pages the host itself wrote).

#ifndef VMBENCH_SANDBOX_SANDBOX_H_
#define VMBENCH_SANDBOX_SANDBOX_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "vmbench/plugin/hypervisor.h"
#include "vmbench/sandbox/shared_memory.h"
#include "vmbench/sandbox/wire.h"

namespace vmbench::sandbox {

// Sizes of the regions of guest memory. Named sizes follow the reference benchmarks.
struct SandboxConfig {
  std::size_t heap_size = 128 * 1024;
  std::size_t input_buffer_size = 16 * 1024;
  std::size_t output_buffer_size = 16 * 1024;
  std::size_t stack_size = 64 * 1024;

  // "default" (128 KiB heap), "small" (8 MiB), "medium" (64 MiB), "large" (256 MiB), all with
  // 16 KiB input and output buffers; InvalidArgument listing the names for anything else.
  static absl::StatusOr<SandboxConfig> Named(absl::string_view size);
};

// Where each region sits in guest-physical memory (identity mapped, starting at GPA 0).
struct SandboxLayout {
  std::uint64_t image_gpa = 0, image_end = 0;
  std::uint64_t stack_gpa = 0, stack_top = 0;
  std::uint64_t input_gpa = 0, input_size = 0;
  std::uint64_t output_gpa = 0, output_size = 0;
  std::uint64_t heap_gpa = 0, heap_size = 0;
  std::uint64_t memory_size = 0;  // bytes mapped from GPA 0
  std::uint64_t init_entry = 0, dispatch_entry = 0;
};

// A function the guest may call. Receives the decoded arguments; an error status becomes a
// HOST_ERROR result in the guest, carrying the message.
using HostFunction = std::function<absl::StatusOr<Value>(std::span<const Value> args)>;

// Adapts a typed callable, e.g. `int32_t(int32_t, int32_t)`, checking the argument count and
// types the guest sent first ("HostAdd expects (i32, i32), got (i32, string)").
template <typename R, typename... Args, typename F>
HostFunction MakeHostFunction(F f);

// Options of one guest call.
struct CallOptions {
  // Interrupts the vCPU when the call takes longer; the call returns DeadlineExceeded.
  std::optional<std::chrono::nanoseconds> timeout;
};

// Kills the call running in a sandbox, from any thread. Outlives the sandbox safely (it then does
// nothing). Semantics (DESIGN.md): a kill aimed at a call is never lost, even when it races with
// the vCPU entering the guest; a kill when no call runs does nothing, so it cannot cancel a
// later, unrelated call.
struct CallControl;

class InterruptHandle {
 public:
  // Returns whether a call was running and has been asked to stop (it then returns Cancelled).
  bool Kill();
  // Whether a guest call is in progress.
  bool InCall() const;

 private:
  friend class Sandbox;
  explicit InterruptHandle(std::shared_ptr<CallControl> control) : control_(std::move(control)) {}
  std::shared_ptr<CallControl> control_;
};

// What the last restore did, for tests and for understanding the cost of a restore.
struct RestoreStats {
  std::size_t pages_copied = 0;     // written back from the snapshot
  std::size_t pages_discarded = 0;  // zero in the snapshot: returned to the kernel or zeroed
};

// A point to restore a sandbox to. Only the sandbox's most recent snapshot can be restored: the
// sandbox keeps one copy of the pages that changed, not a full image per snapshot.
class Snapshot {
 public:
  std::uint64_t generation() const { return generation_; }

 private:
  friend class Sandbox;
  Snapshot(const void* owner, std::uint64_t generation, const SpecialRegisters& sregs)
      : owner_(owner), generation_(generation), sregs_(sregs) {}
  const void* owner_;
  std::uint64_t generation_;
  SpecialRegisters sregs_;
};

struct SandboxState;

// An initialized sandbox: a running guest that functions can be called in.
class Sandbox {
 public:
  Sandbox(Sandbox&&) noexcept;
  Sandbox& operator=(Sandbox&&) noexcept;
  ~Sandbox();

  // Calls guest function `function`. Errors: NotFound (no such guest function),
  // InvalidArgument (wrong arguments), ResourceExhausted (arguments or result too large for the
  // buffers), Cancelled (killed through the interrupt handle), DeadlineExceeded (timeout),
  // Internal (guest fault, with vector and RIP, or a guest that broke the protocol), DataLoss
  // (malformed result), FailedPrecondition (a previous call was cut short: restore first).
  absl::StatusOr<Value> Call(absl::string_view function, std::span<const Value> args = {},
                             const CallOptions& options = {});

  absl::StatusOr<Snapshot> TakeSnapshot();
  absl::Status Restore(const Snapshot& snapshot);
  const RestoreStats& last_restore() const;

  std::shared_ptr<InterruptHandle> interrupt_handle() const;
  // Host access to guest memory at guest-physical `gpa`, bounds-checked (OutOfRange). Writes are
  // tracked like the guest's own, so a restore undoes them.
  absl::Status ReadMemory(std::uint64_t gpa, std::span<std::uint8_t> out) const;
  absl::Status WriteMemory(std::uint64_t gpa, std::span<const std::uint8_t> bytes);
  const SandboxLayout& layout() const;

 private:
  friend class UninitializedSandbox;
  explicit Sandbox(std::unique_ptr<SandboxState> state);
  std::unique_ptr<SandboxState> state_;
};

// A sandbox whose memory is ready (image, page tables, boot information) but that has no VM yet.
class UninitializedSandbox {
 public:
  // `image` defaults to the built-in guest (vmbench::GuestImage()).
  static absl::StatusOr<UninitializedSandbox> Create(Hypervisor& hypervisor,
                                                     const SandboxConfig& config);
  static absl::StatusOr<UninitializedSandbox> Create(Hypervisor& hypervisor,
                                                     const SandboxConfig& config,
                                                     std::span<const std::uint8_t> image);
  UninitializedSandbox(UninitializedSandbox&&) noexcept;
  UninitializedSandbox& operator=(UninitializedSandbox&&) noexcept;
  ~UninitializedSandbox();

  // Registers (or replaces) a host function. `HostPrint(string) -> i32` is registered by default
  // and writes to standard output; register another to capture or drop guest output.
  void RegisterHostFunction(const std::string& name, HostFunction function);

  // Creates the VM and vCPU, maps the memory and runs the guest's init.
  absl::StatusOr<Sandbox> Initialize() &&;

  const SandboxLayout& layout() const;

 private:
  explicit UninitializedSandbox(std::unique_ptr<SandboxState> state);
  std::unique_ptr<SandboxState> state_;
};

// ---- implementation details of MakeHostFunction ----

namespace internal {

template <typename T>
constexpr std::size_t TagOf() {
  return Value(std::in_place_type<T>).index();
}

std::string SignatureMismatch(absl::string_view expected, std::span<const Value> args);

template <typename... Args>
std::string SignatureOf() {
  std::string out = "(";
  ((out += (out.size() > 1 ? ", " : "") + ValueTypeName(TagOf<Args>())), ...);
  return out + ")";
}

}  // namespace internal

template <typename R, typename... Args, typename F>
HostFunction MakeHostFunction(F f) {
  return [f = std::move(f)](std::span<const Value> args) -> absl::StatusOr<Value> {
    constexpr std::size_t kArity = sizeof...(Args);
    bool types_match = args.size() == kArity;
    if (types_match) {
      std::size_t i = 0;
      ((types_match = types_match && args[i++].index() == internal::TagOf<Args>()), ...);
    }
    if (!types_match) {
      return absl::InvalidArgumentError(
          internal::SignatureMismatch(internal::SignatureOf<Args...>(), args));
    }
    return [&]<std::size_t... I>(std::index_sequence<I...>)->absl::StatusOr<Value> {
      if constexpr (std::is_void_v<R>) {
        f(std::get<Args>(args[I])...);
        return Value{};
      } else {
        return Value{R(f(std::get<Args>(args[I])...))};
      }
    }
    (std::index_sequence_for<Args...>{});
  };
}

}  // namespace vmbench::sandbox

#endif  // VMBENCH_SANDBOX_SANDBOX_H_
