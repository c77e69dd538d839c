// The sandbox runtime on a real backend (the emulator runs everywhere) with the built-in guest:
// calls in both directions, errors, interrupts, timeouts, snapshots and what restores cost.

#include "vmbench/sandbox/sandbox.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <future>
#include <thread>

#include "absl/strings/str_format.h"
#include "hypervisors/conformance_support.h"

namespace vmbench::sandbox {
namespace {

using Catch::Contains;
using namespace std::chrono_literals;

// The backend to run on: the emulator (everywhere), or VMBENCH_TEST_BACKEND (tools/vmtest runs
// these tests on kvm inside a QEMU guest).
std::string Backend() {
  const char* name = std::getenv("VMBENCH_TEST_BACKEND");
  return name != nullptr ? name : "emulator";
}

// A default-size sandbox on the emulator with HostAdd registered.
Sandbox MakeSandbox(Hypervisor& hypervisor, SandboxConfig config = {}) {
  absl::StatusOr<UninitializedSandbox> u = UninitializedSandbox::Create(hypervisor, config);
  REQUIRE(u.ok());
  u->RegisterHostFunction("HostAdd", MakeHostFunction<std::int32_t, std::int32_t, std::int32_t>(
                                         [](std::int32_t a, std::int32_t b) { return a + b; }));
  absl::StatusOr<Sandbox> sandbox = std::move(*u).Initialize();
  INFO(sandbox.status().ToString());
  REQUIRE(sandbox.ok());
  return *std::move(sandbox);
}

std::string Text(const absl::StatusOr<Value>& value) {
  REQUIRE(value.ok());
  REQUIRE(std::holds_alternative<std::string>(*value));
  return std::get<std::string>(*value);
}

Bytes ReadAll(const Sandbox& sandbox) {
  Bytes all(sandbox.layout().memory_size);
  REQUIRE(sandbox.ReadMemory(0, all).ok());
  return all;
}

TEST_CASE("named sizes follow the reference and unknown names are refused", "[sandbox]") {
  CHECK(SandboxConfig::Named("default")->heap_size == 128 * 1024);
  CHECK(SandboxConfig::Named("small")->heap_size == 8 << 20);
  CHECK(SandboxConfig::Named("medium")->heap_size == 64 << 20);
  CHECK(SandboxConfig::Named("large")->heap_size == 256 << 20);
  CHECK(SandboxConfig::Named("large")->input_buffer_size == 16 * 1024);
  absl::StatusOr<SandboxConfig> huge = SandboxConfig::Named("huge");
  REQUIRE_FALSE(huge.ok());
  CHECK_THAT(std::string(huge.status().message()), Contains("'huge' is not one of default"));
}

TEST_CASE("Echo returns its argument", "[sandbox]") {
  const std::shared_ptr<Hypervisor> backend = testing::LoadBackend(Backend());
  Hypervisor& hv = *backend;
  Sandbox sandbox = MakeSandbox(hv);
  const Value hello{std::string("hello")};
  CHECK(Text(sandbox.Call("Echo", {&hello, 1})) == "hello");
  const Value empty{std::string()};
  CHECK(Text(sandbox.Call("Echo", {&empty, 1})).empty());
}

TEST_CASE("Add calls back into the host through HostAdd", "[sandbox]") {
  const std::shared_ptr<Hypervisor> backend = testing::LoadBackend(Backend());
  Hypervisor& hv = *backend;
  absl::StatusOr<UninitializedSandbox> u = UninitializedSandbox::Create(hv, {});
  REQUIRE(u.ok());
  int host_calls = 0;
  u->RegisterHostFunction("HostAdd", MakeHostFunction<std::int32_t, std::int32_t, std::int32_t>(
                                         [&](std::int32_t a, std::int32_t b) {
                                           ++host_calls;
                                           return a + b;
                                         }));
  absl::StatusOr<Sandbox> sandbox = std::move(*u).Initialize();
  REQUIRE(sandbox.ok());
  const Value args[] = {Value{std::int32_t{1}}, Value{std::int32_t{41}}};
  absl::StatusOr<Value> sum = sandbox->Call("Add", args);
  REQUIRE(sum.ok());
  CHECK(std::get<std::int32_t>(*sum) == 42);
  CHECK(host_calls == 1);
}

TEST_CASE("a failing host function surfaces in the guest call", "[sandbox]") {
  const std::shared_ptr<Hypervisor> backend = testing::LoadBackend(Backend());
  Hypervisor& hv = *backend;
  absl::StatusOr<UninitializedSandbox> u = UninitializedSandbox::Create(hv, {});
  REQUIRE(u.ok());
  u->RegisterHostFunction("HostAdd", [](std::span<const Value>) -> absl::StatusOr<Value> {
    return absl::UnavailableError("adder offline");
  });
  absl::StatusOr<Sandbox> sandbox = std::move(*u).Initialize();
  REQUIRE(sandbox.ok());
  const Value args[] = {Value{std::int32_t{1}}, Value{std::int32_t{2}}};
  absl::StatusOr<Value> sum = sandbox->Call("Add", args);
  REQUIRE_FALSE(sum.ok());
  CHECK(sum.status().code() == absl::StatusCode::kAborted);
  CHECK_THAT(std::string(sum.status().message()), Contains("HostAdd: adder offline"));
  // The guest returned normally, so the sandbox stays usable.
  const Value hi{std::string("hi")};
  CHECK(Text(sandbox->Call("Echo", {&hi, 1})) == "hi");
}

TEST_CASE("PrintOutput goes through the host print function", "[sandbox]") {
  const std::shared_ptr<Hypervisor> backend = testing::LoadBackend(Backend());
  Hypervisor& hv = *backend;
  absl::StatusOr<UninitializedSandbox> u = UninitializedSandbox::Create(hv, {});
  REQUIRE(u.ok());
  std::string printed;
  u->RegisterHostFunction("HostPrint",
                          MakeHostFunction<std::int32_t, std::string>([&](const std::string& s) {
                            printed += s;
                            return static_cast<std::int32_t>(s.size());
                          }));
  absl::StatusOr<Sandbox> sandbox = std::move(*u).Initialize();
  REQUIRE(sandbox.ok());
  const Value text{std::string("guest says hi\n")};
  absl::StatusOr<Value> n = sandbox->Call("PrintOutput", {&text, 1});
  REQUIRE(n.ok());
  CHECK(std::get<std::int32_t>(*n) == 14);
  CHECK(printed == "guest says hi\n");
}

TEST_CASE("unknown functions and wrong arguments are errors that name them", "[sandbox]") {
  const std::shared_ptr<Hypervisor> backend = testing::LoadBackend(Backend());
  Hypervisor& hv = *backend;
  Sandbox sandbox = MakeSandbox(hv);
  absl::StatusOr<Value> missing = sandbox.Call("NoSuchFunction");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == absl::StatusCode::kNotFound);
  CHECK_THAT(std::string(missing.status().message()), Contains("NoSuchFunction"));

  const Value number{std::int32_t{5}};
  absl::StatusOr<Value> wrong = sandbox.Call("Echo", {&number, 1});
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(wrong.status().message()), Contains("Echo"));

  // Neither error poisons the sandbox.
  const Value ok{std::string("still fine")};
  CHECK(Text(sandbox.Call("Echo", {&ok, 1})) == "still fine");
}

TEST_CASE("arguments larger than the input buffer are refused before the guest runs", "[sandbox]") {
  const std::shared_ptr<Hypervisor> backend = testing::LoadBackend(Backend());
  Hypervisor& hv = *backend;
  Sandbox sandbox = MakeSandbox(hv);
  const Value big{std::string(64 * 1024, 'x')};
  absl::StatusOr<Value> result = sandbox.Call("Echo", {&big, 1});
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kResourceExhausted);
  const Value ok{std::string("ok")};
  CHECK(Text(sandbox.Call("Echo", {&ok, 1})) == "ok");
}

TEST_CASE("24K_in_8K_out and LargeParameters run with larger buffers", "[sandbox]") {
  const std::shared_ptr<Hypervisor> backend = testing::LoadBackend(Backend());
  Hypervisor& hv = *backend;
  SandboxConfig config;
  config.input_buffer_size = 1 << 20;
  config.output_buffer_size = 64 * 1024;
  Sandbox sandbox = MakeSandbox(hv, config);
  Bytes input(24 * 1024);
  for (std::size_t i = 0; i < input.size(); ++i) input[i] = static_cast<std::uint8_t>(i * 7);
  const Value arg{input};
  absl::StatusOr<Value> out = sandbox.Call("24K_in_8K_out", {&arg, 1});
  REQUIRE(out.ok());
  CHECK(std::get<Bytes>(*out) == Bytes(input.begin(), input.begin() + 8 * 1024));

  const Value large[] = {Value{Bytes(300 * 1024, 0x5A)}, Value{std::string(300 * 1024, 's')}};
  absl::StatusOr<Value> done = sandbox.Call("LargeParameters", large);
  INFO(done.status().ToString());
  CHECK(done.ok());
}

TEST_CASE("Spin is interrupted from another thread and the sandbox recovers by restore",
          "[sandbox]") {
  const std::shared_ptr<Hypervisor> backend = testing::LoadBackend(Backend());
  Hypervisor& hv = *backend;
  Sandbox sandbox = MakeSandbox(hv);
  absl::StatusOr<Snapshot> snapshot = sandbox.TakeSnapshot();
  REQUIRE(snapshot.ok());
  std::shared_ptr<InterruptHandle> handle = sandbox.interrupt_handle();
  std::future<absl::StatusOr<Value>> spin =
      std::async(std::launch::async, [&] { return sandbox.Call("Spin"); });
  // Kill returns false until the call has started; it is never lost once it returns true.
  while (!handle->Kill()) std::this_thread::yield();
  REQUIRE(spin.wait_for(30s) == std::future_status::ready);
  absl::StatusOr<Value> result = spin.get();
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kCancelled);
  CHECK_THAT(std::string(result.status().message()),
             Contains("guest call Spin: cancelled by host"));
  CHECK_FALSE(handle->InCall());

  const Value hi{std::string("hi")};
  absl::StatusOr<Value> refused = sandbox.Call("Echo", {&hi, 1});
  CHECK(refused.status().code() == absl::StatusCode::kFailedPrecondition);
  REQUIRE(sandbox.Restore(*snapshot).ok());
  CHECK(Text(sandbox.Call("Echo", {&hi, 1})) == "hi");
}

TEST_CASE("a kill when no call runs does not cancel the next call", "[sandbox]") {
  const std::shared_ptr<Hypervisor> backend = testing::LoadBackend(Backend());
  Hypervisor& hv = *backend;
  Sandbox sandbox = MakeSandbox(hv);
  std::shared_ptr<InterruptHandle> handle = sandbox.interrupt_handle();
  CHECK_FALSE(handle->Kill());
  const Value hi{std::string("hi")};
  CHECK(Text(sandbox.Call("Echo", {&hi, 1})) == "hi");
}

TEST_CASE("a call that exceeds its timeout is interrupted", "[sandbox]") {
  const std::shared_ptr<Hypervisor> backend = testing::LoadBackend(Backend());
  Hypervisor& hv = *backend;
  Sandbox sandbox = MakeSandbox(hv);
  absl::StatusOr<Snapshot> snapshot = sandbox.TakeSnapshot();
  REQUIRE(snapshot.ok());
  absl::StatusOr<Value> result = sandbox.Call("Spin", {}, CallOptions{50ms});
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kDeadlineExceeded);
  REQUIRE(sandbox.Restore(*snapshot).ok());
  // A generous timeout does not fire on a call that finishes.
  const Value hi{std::string("hi")};
  CHECK(Text(sandbox.Call("Echo", {&hi, 1}, CallOptions{30s})) == "hi");
}

TEST_CASE("a restore brings back the snapshot's memory", "[sandbox]") {
  const std::shared_ptr<Hypervisor> backend = testing::LoadBackend(Backend());
  Hypervisor& hv = *backend;
  Sandbox sandbox = MakeSandbox(hv);
  const Value first{std::string("before the snapshot")};
  REQUIRE(sandbox.Call("Echo", {&first, 1}).ok());
  absl::StatusOr<Snapshot> snapshot = sandbox.TakeSnapshot();
  REQUIRE(snapshot.ok());
  const Bytes at_snapshot = ReadAll(sandbox);

  const Value second{std::string(4000, 'z')};
  REQUIRE(sandbox.Call("Echo", {&second, 1}).ok());
  const Bytes scribble(3 * kPageSize + 17, 0xAB);
  REQUIRE(sandbox.WriteMemory(sandbox.layout().heap_gpa + 100, scribble).ok());
  REQUIRE(ReadAll(sandbox) != at_snapshot);

  REQUIRE(sandbox.Restore(*snapshot).ok());
  CHECK(ReadAll(sandbox) == at_snapshot);
  // And the restored guest still works, twice over.
  REQUIRE(sandbox.Restore(*snapshot).ok());
  CHECK(Text(sandbox.Call("Echo", {&first, 1})) == "before the snapshot");
}

TEST_CASE("restore cost follows the dirtied pages, not the sandbox size", "[sandbox]") {
  const std::shared_ptr<Hypervisor> backend = testing::LoadBackend(Backend());
  Hypervisor& hv = *backend;
  Sandbox sandbox = MakeSandbox(hv, *SandboxConfig::Named("large"));
  absl::StatusOr<Snapshot> snapshot = sandbox.TakeSnapshot();
  REQUIRE(snapshot.ok());
  const Value hi{std::string("hi")};
  REQUIRE(sandbox.Call("Echo", {&hi, 1}).ok());
  REQUIRE(sandbox.Restore(*snapshot).ok());
  const RestoreStats echo = sandbox.last_restore();
  // An Echo touches a few stack, input and output pages of a 256 MiB sandbox.
  CHECK(echo.pages_copied + echo.pages_discarded > 0);
  CHECK(echo.pages_copied + echo.pages_discarded <= 16);

  const Bytes heap_data(10 * kPageSize, 1);
  REQUIRE(sandbox.WriteMemory(sandbox.layout().heap_gpa + 200 * kPageSize, heap_data).ok());
  REQUIRE(sandbox.Restore(*snapshot).ok());
  // Heap pages were zero in the snapshot: discarded, not copied.
  CHECK(sandbox.last_restore().pages_discarded == 10);
  CHECK(sandbox.last_restore().pages_copied == 0);
}

TEST_CASE("only the most recent snapshot of a sandbox can be restored", "[sandbox]") {
  const std::shared_ptr<Hypervisor> backend = testing::LoadBackend(Backend());
  Hypervisor& hv = *backend;
  Sandbox a = MakeSandbox(hv);
  Sandbox b = MakeSandbox(hv);
  absl::StatusOr<Snapshot> old_snapshot = a.TakeSnapshot();
  absl::StatusOr<Snapshot> new_snapshot = a.TakeSnapshot();
  REQUIRE(old_snapshot.ok());
  REQUIRE(new_snapshot.ok());
  CHECK(a.Restore(*old_snapshot).code() == absl::StatusCode::kFailedPrecondition);
  CHECK(b.Restore(*new_snapshot).code() == absl::StatusCode::kInvalidArgument);
  CHECK(a.Restore(*new_snapshot).ok());
}

TEST_CASE("two sandboxes run side by side", "[sandbox]") {
  const std::shared_ptr<Hypervisor> backend = testing::LoadBackend(Backend());
  Hypervisor& hv = *backend;
  Sandbox a = MakeSandbox(hv);
  Sandbox b = MakeSandbox(hv);
  const Value x{std::string("from a")};
  const Value y{std::string("from b")};
  CHECK(Text(a.Call("Echo", {&x, 1})) == "from a");
  CHECK(Text(b.Call("Echo", {&y, 1})) == "from b");
}

TEST_CASE("an interrupt handle outlives its sandbox harmlessly", "[sandbox]") {
  const std::shared_ptr<Hypervisor> backend = testing::LoadBackend(Backend());
  Hypervisor& hv = *backend;
  std::shared_ptr<InterruptHandle> handle;
  {
    Sandbox sandbox = MakeSandbox(hv);
    handle = sandbox.interrupt_handle();
  }
  CHECK_FALSE(handle->Kill());
}

// A hand-made guest image: the header, then `init` and `dispatch` as raw machine code.
Bytes MakeImage(const Bytes& init, const Bytes& dispatch) {
  vmb_image_header header{};
  header.magic = VMB_IMAGE_MAGIC;
  header.abi_version = VMB_GUEST_ABI_VERSION;
  header.init_entry = VMB_IMAGE_GPA + sizeof(header);
  header.dispatch_entry = header.init_entry + init.size();
  header.image_end = header.dispatch_entry + dispatch.size();
  Bytes image(sizeof(header));
  std::memcpy(image.data(), &header, sizeof(header));
  image.insert(image.end(), init.begin(), init.end());
  image.insert(image.end(), dispatch.begin(), dispatch.end());
  return image;
}

// mov edx, VMB_PORT_DONE; out dx, eax; hlt
const Bytes kSignalDone = {0xBA, 0x00, 0x01, 0x00, 0x00, 0xEF, 0xF4};

TEST_CASE("a guest fault is reported with its vector and RIP", "[sandbox]") {
  const std::shared_ptr<Hypervisor> backend = testing::LoadBackend(Backend());
  Hypervisor& hv = *backend;
  const Bytes ud2 = {0x0F, 0x0B};
  const Bytes image = MakeImage(kSignalDone, ud2);
  absl::StatusOr<UninitializedSandbox> u = UninitializedSandbox::Create(hv, {}, image);
  REQUIRE(u.ok());
  absl::StatusOr<Sandbox> sandbox = std::move(*u).Initialize();
  REQUIRE(sandbox.ok());
  absl::StatusOr<Value> result = sandbox->Call("Anything");
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kInternal);
  CHECK_THAT(std::string(result.status().message()), Contains("#UD invalid opcode"));
  CHECK_THAT(std::string(result.status().message()),
             Contains(absl::StrFormat("rip 0x%x", sandbox->layout().dispatch_entry)));
}

TEST_CASE("a malformed result from the guest is an error, not a crash", "[sandbox]") {
  const std::shared_ptr<Hypervisor> backend = testing::LoadBackend(Backend());
  Hypervisor& hv = *backend;
  SandboxConfig config;
  const std::uint64_t output = VMB_IMAGE_LIMIT + config.stack_size + config.input_buffer_size;
  // mov edi, output; mov dword [rdi], VMB_WIRE_MAGIC; mov dword [rdi+8], 0xFFFFFFF0 (payload
  // size); then signal done.
  Bytes dispatch = {0xBF};
  for (int i = 0; i < 4; ++i) dispatch.push_back(static_cast<std::uint8_t>(output >> (8 * i)));
  const Bytes stores = {0xC7, 0x07, 0x56, 0x4D, 0x42, 0x57, 0xC7,
                        0x47, 0x08, 0xF0, 0xFF, 0xFF, 0xFF};
  dispatch.insert(dispatch.end(), stores.begin(), stores.end());
  dispatch.insert(dispatch.end(), kSignalDone.begin(), kSignalDone.end());
  absl::StatusOr<UninitializedSandbox> u =
      UninitializedSandbox::Create(hv, config, MakeImage(kSignalDone, dispatch));
  REQUIRE(u.ok());
  REQUIRE(u->layout().output_gpa == output);
  absl::StatusOr<Sandbox> sandbox = std::move(*u).Initialize();
  REQUIRE(sandbox.ok());
  absl::StatusOr<Value> result = sandbox->Call("Anything");
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kDataLoss);
  CHECK_THAT(std::string(result.status().message()), Contains("version at offset 4"));
}

TEST_CASE("images with a bad header are refused with the reason", "[sandbox]") {
  const std::shared_ptr<Hypervisor> backend = testing::LoadBackend(Backend());
  Hypervisor& hv = *backend;
  Bytes image = MakeImage(kSignalDone, kSignalDone);
  image[0] = 'X';
  absl::StatusOr<UninitializedSandbox> bad_magic = UninitializedSandbox::Create(hv, {}, image);
  REQUIRE_FALSE(bad_magic.ok());
  CHECK_THAT(std::string(bad_magic.status().message()), Contains("guest image: magic"));

  image = MakeImage(kSignalDone, kSignalDone);
  const std::uint64_t outside = 0x9000;
  std::memcpy(image.data() + offsetof(vmb_image_header, dispatch_entry), &outside, 8);
  absl::StatusOr<UninitializedSandbox> bad_entry = UninitializedSandbox::Create(hv, {}, image);
  REQUIRE_FALSE(bad_entry.ok());
  CHECK_THAT(std::string(bad_entry.status().message()), Contains("entry point 0x9000"));

  CHECK_FALSE(UninitializedSandbox::Create(hv, {}, Bytes(8)).ok());
}

TEST_CASE("memory access through the sandbox is bounds-checked", "[sandbox]") {
  const std::shared_ptr<Hypervisor> backend = testing::LoadBackend(Backend());
  Hypervisor& hv = *backend;
  Sandbox sandbox = MakeSandbox(hv);
  Bytes buffer(16);
  CHECK(sandbox.ReadMemory(sandbox.layout().memory_size - 8, buffer).code() ==
        absl::StatusCode::kOutOfRange);
  CHECK(sandbox.WriteMemory(~std::uint64_t{0} - 4, buffer).code() == absl::StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace vmbench::sandbox
