// The sandbox runtime on the kvm backend with the built-in guest: calls in both directions, an
// interrupt from another thread, a timeout, and snapshot restores (which on kvm use KVM's dirty
// log and drop pages behind the mapping). tests/sandbox/sandbox_test.cc covers the runtime in
// depth on the emulator; these are the paths where a hardware backend behaves differently. They
// skip visibly where /dev/kvm is unusable; `tools/vmtest` runs them inside a QEMU guest.

#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "conformance_support.h"
#include "vmbench/sandbox/sandbox.h"

namespace vmbench::sandbox {
namespace {

using Catch::Contains;
using namespace std::chrono_literals;

// A default-size sandbox (or `config`) on kvm with HostAdd registered, counting its calls.
Sandbox MakeSandbox(Hypervisor& hypervisor, int* host_calls, SandboxConfig config = {}) {
  absl::StatusOr<UninitializedSandbox> u = UninitializedSandbox::Create(hypervisor, config);
  REQUIRE(u.status().ToString() == "OK");
  u->RegisterHostFunction("HostAdd", MakeHostFunction<std::int32_t, std::int32_t, std::int32_t>(
                                         [host_calls](std::int32_t a, std::int32_t b) {
                                           ++*host_calls;
                                           return a + b;
                                         }));
  absl::StatusOr<Sandbox> sandbox = std::move(*u).Initialize();
  REQUIRE(sandbox.status().ToString() == "OK");
  return *std::move(sandbox);
}

std::string Text(const absl::StatusOr<Value>& value) {
  REQUIRE(value.status().ToString() == "OK");
  REQUIRE(std::holds_alternative<std::string>(*value));
  return std::get<std::string>(*value);
}

TEST_CASE("sandbox on kvm: Echo and Add through HostAdd", "[sandbox][kvm]") {
  std::shared_ptr<Hypervisor> kvm = testing::LoadBackend("kvm");
  int host_calls = 0;
  Sandbox sandbox = MakeSandbox(*kvm, &host_calls);
  const Value hello{std::string("hello from kvm")};
  CHECK(Text(sandbox.Call("Echo", {&hello, 1})) == "hello from kvm");
  const Value args[] = {Value{std::int32_t{1}}, Value{std::int32_t{41}}};
  for (int i = 1; i <= 3; ++i) {
    absl::StatusOr<Value> sum = sandbox.Call("Add", args);
    REQUIRE(sum.status().ToString() == "OK");
    CHECK(std::get<std::int32_t>(*sum) == 42);
    CHECK(host_calls == i);
  }
}

TEST_CASE("sandbox on kvm: Spin is interrupted from another thread and restore recovers",
          "[sandbox][kvm]") {
  std::shared_ptr<Hypervisor> kvm = testing::LoadBackend("kvm");
  int host_calls = 0;
  Sandbox sandbox = MakeSandbox(*kvm, &host_calls);
  absl::StatusOr<Snapshot> snapshot = sandbox.TakeSnapshot();
  REQUIRE(snapshot.ok());
  std::shared_ptr<InterruptHandle> handle = sandbox.interrupt_handle();
  std::future<absl::StatusOr<Value>> spin =
      std::async(std::launch::async, [&] { return sandbox.Call("Spin"); });
  while (!handle->Kill()) std::this_thread::yield();
  REQUIRE(spin.wait_for(30s) == std::future_status::ready);
  const absl::StatusOr<Value> result = spin.get();
  CHECK(result.status().code() == absl::StatusCode::kCancelled);
  CHECK_THAT(std::string(result.status().message()), Contains("cancelled by host"));

  REQUIRE(sandbox.Restore(*snapshot).ok());
  const Value hi{std::string("hi")};
  CHECK(Text(sandbox.Call("Echo", {&hi, 1})) == "hi");
  // A kill while no call runs reaches nothing, and the next call is not cancelled by it.
  CHECK_FALSE(handle->Kill());
  CHECK(Text(sandbox.Call("Echo", {&hi, 1})) == "hi");
}

TEST_CASE("sandbox on kvm: a call that exceeds its timeout is interrupted", "[sandbox][kvm]") {
  std::shared_ptr<Hypervisor> kvm = testing::LoadBackend("kvm");
  int host_calls = 0;
  Sandbox sandbox = MakeSandbox(*kvm, &host_calls);
  absl::StatusOr<Snapshot> snapshot = sandbox.TakeSnapshot();
  REQUIRE(snapshot.ok());
  const absl::StatusOr<Value> result = sandbox.Call("Spin", {}, CallOptions{50ms});
  CHECK(result.status().code() == absl::StatusCode::kDeadlineExceeded);
  REQUIRE(sandbox.Restore(*snapshot).ok());
  const Value hi{std::string("hi")};
  CHECK(Text(sandbox.Call("Echo", {&hi, 1}, CallOptions{30s})) == "hi");
}

TEST_CASE("sandbox on kvm: a restore brings back the snapshot's memory", "[sandbox][kvm]") {
  std::shared_ptr<Hypervisor> kvm = testing::LoadBackend("kvm");
  int host_calls = 0;
  Sandbox sandbox = MakeSandbox(*kvm, &host_calls, *SandboxConfig::Named("small"));
  const Value first{std::string("before the snapshot")};
  REQUIRE(sandbox.Call("Echo", {&first, 1}).ok());
  absl::StatusOr<Snapshot> snapshot = sandbox.TakeSnapshot();
  REQUIRE(snapshot.ok());
  Bytes at_snapshot(sandbox.layout().memory_size);
  REQUIRE(sandbox.ReadMemory(0, at_snapshot).ok());

  // The guest dirties stack, input and output pages (seen through KVM's dirty log), the host
  // dirties heap pages that were zero in the snapshot (dropped, not copied, on restore).
  const Value second{std::string(6000, 'z')};
  REQUIRE(sandbox.Call("Echo", {&second, 1}).ok());
  const Bytes scribble(3 * kPageSize + 17, 0xAB);
  REQUIRE(sandbox.WriteMemory(sandbox.layout().heap_gpa + 64 * kPageSize + 100, scribble).ok());

  REQUIRE(sandbox.Restore(*snapshot).ok());
  const RestoreStats stats = sandbox.last_restore();
  CHECK(stats.pages_copied > 0);
  CHECK(stats.pages_discarded >= 4);
  CHECK(stats.pages_copied + stats.pages_discarded < 64);
  Bytes restored(sandbox.layout().memory_size);
  REQUIRE(sandbox.ReadMemory(0, restored).ok());
  CHECK(restored == at_snapshot);
  CHECK(Text(sandbox.Call("Echo", {&first, 1})) == "before the snapshot");
}

}  // namespace
}  // namespace vmbench::sandbox
