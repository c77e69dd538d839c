// The `guest_calls` suite (reference section 3.2): a guest call, a call followed by a restore, a
// call that calls back into the host, the first call on a new thread, and the latency from
// killing a spinning call to the call's return.

#include <barrier>
#include <thread>

#include "vm_suite.h"

namespace vmbench::vm_suites {
namespace {

using sandbox::Value;

const Value kHello{std::string("hello\n")};
const Value kWarmup{std::string("warmup\n")};
const Value kAddArgs[] = {Value{std::int32_t{1}}, Value{std::int32_t{41}}};

Body CallBody(Hypervisor* hypervisor, std::string size) {
  return [=](benchmark::State& state) {
    std::optional<sandbox::Sandbox> sandbox = Build(state, *hypervisor, size);
    if (!sandbox) return;
    for (auto _ : state) {
      if (!Check(state, sandbox->Call("Echo", {&kHello, 1}), "Echo")) break;
    }
  };
}

Body CallWithRestoreBody(Hypervisor* hypervisor, std::string size) {
  return [=](benchmark::State& state) {
    std::optional<sandbox::Sandbox> sandbox = Build(state, *hypervisor, size);
    if (!sandbox) return;
    absl::StatusOr<sandbox::Snapshot> snapshot = sandbox->TakeSnapshot();
    if (!Check(state, snapshot, "snapshot")) return;
    for (auto _ : state) {
      if (!Check(state, sandbox->Call("Echo", {&kHello, 1}), "Echo") ||
          !Check(state, sandbox->Restore(*snapshot), "restore")) {
        break;
      }
    }
  };
}

Body CallWithHostFunctionBody(Hypervisor* hypervisor, std::string size) {
  return [=](benchmark::State& state) {
    std::optional<sandbox::Sandbox> sandbox = Build(state, *hypervisor, size);
    if (!sandbox) return;
    for (auto _ : state) {
      absl::StatusOr<Value> sum = sandbox->Call("Add", kAddArgs);
      if (!Check(state, sum, "Add")) break;
      if (const std::int32_t* value = std::get_if<std::int32_t>(&*sum);
          value == nullptr || *value != 42) {
        state.SkipWithError("Add(1, 41) did not return 42");
        break;
      }
    }
  };
}

// Per iteration: an untimed warm-up call on the benchmark thread, then the first call on a new
// thread, timed on that thread (spawn and join untimed), as the reference's iter_custom does.
Body DifferentThreadBody(Hypervisor* hypervisor) {
  return [=](benchmark::State& state) {
    std::optional<sandbox::Sandbox> sandbox = Build(state, *hypervisor, "default");
    if (!sandbox) return;
    for (auto _ : state) {
      if (!Check(state, sandbox->Call("Echo", {&kWarmup, 1}), "warm-up Echo")) break;
      absl::Status status;
      double seconds = 0;
      std::thread([&] {
        seconds = TimeRegion([&] { status = sandbox->Call("Echo", {&kHello, 1}).status(); });
      }).join();
      if (!Check(state, status, "Echo on a new thread")) break;
      state.SetIterationTime(seconds);
    }
  };
}

// Per iteration, on a freshly built sandbox (untimed): the benchmark thread calls Spin; an
// observer thread waits 10 ms, notes the time and kills the call. The latency is from that
// moment to the call's return with Cancelled.
Body InterruptLatencyBody(Hypervisor* hypervisor) {
  return [=](benchmark::State& state) {
    for (auto _ : state) {
      std::optional<sandbox::Sandbox> sandbox = Build(state, *hypervisor, "default");
      if (!sandbox) break;
      std::shared_ptr<sandbox::InterruptHandle> handle = sandbox->interrupt_handle();
      std::barrier start(2);
      std::chrono::steady_clock::time_point kill_start;
      bool killed = false;
      std::thread observer([&] {
        start.arrive_and_wait();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        kill_start = std::chrono::steady_clock::now();
        // The call has had 10 ms to start; keep trying in case this machine is slower than that.
        while (!(killed = handle->Kill())) std::this_thread::yield();
      });
      start.arrive_and_wait();
      const absl::StatusOr<Value> result = sandbox->Call("Spin");
      const auto call_end = std::chrono::steady_clock::now();
      observer.join();
      if (result.status().code() != absl::StatusCode::kCancelled) {
        state.SkipWithError(
            absl::StrCat("Spin did not end cancelled: ", result.status().ToString()).c_str());
        break;
      }
      state.SetIterationTime(std::chrono::duration<double>(call_end - kill_start).count());
    }
  };
}

class GuestCallsSuite final : public Suite {
 public:
  bool NeedsHypervisor() const noexcept override { return true; }

  absl::StatusOr<std::vector<BenchmarkSpec>> Benchmarks(
      const SuiteContext& context) noexcept override {
    VMB_RETURN_IF_ERROR(CheckOptions("guest_calls", context.options, {}));
    Hypervisor* hv = context.hypervisor;
    std::vector<BenchmarkSpec> specs;
    for (const char* size : kSizes)
      specs.push_back(Spec("guest_calls", "call", size, CallBody(hv, size)));
    for (const char* size : kSizes) {
      specs.push_back(
          Spec("guest_calls", "call_with_restore", size, CallWithRestoreBody(hv, size)));
    }
    for (const char* size : kSizes) {
      specs.push_back(
          Spec("guest_calls", "call_with_host_function", size, CallWithHostFunctionBody(hv, size)));
    }
    specs.push_back(ManualSpec("guest_calls", "different_thread", "", DifferentThreadBody(hv)));
    specs.push_back(ManualSpec("guest_calls", "interrupt_latency", "", InterruptLatencyBody(hv)));
    return specs;
  }
};

}  // namespace
}  // namespace vmbench::vm_suites

VMBENCH_PLUGIN(vmbench::vm_suites::GuestCallsSuite, "guest_calls", "0.1.0",
               "Guest calls: plain, with restore, with a host call, on a new thread, interrupted");
