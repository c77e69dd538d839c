// The `function_call_serialization` suite (reference section 3.6): encoding and decoding the
// reference's 11-parameter call of about 40 MiB with the sandbox's wire format (no VM).
// Serialization times sizing, allocating the buffer and encoding; deserialization times decoding
// into owned values, as the reference's try_from copies into owned types.

#include "vm_suite.h"
#include "vmbench/sandbox/wire.h"

namespace vmbench::vm_suites {
namespace {

using sandbox::Bytes;
using sandbox::Value;

constexpr std::size_t kChunk = std::size_t{10} << 20;

std::vector<Value> ReferenceArguments() {
  return {Value{Bytes(kChunk, 0x01)},
          Value{std::string(kChunk, '\x02')},
          Value{std::int32_t{42}},
          Value{std::uint32_t{100}},
          Value{std::int64_t{1000}},
          Value{std::uint64_t{2000}},
          Value{521521.53f},
          Value{432.53},
          Value{true},
          Value{Bytes(kChunk, 0x01)},
          Value{std::string(kChunk, '\x02')}};
}

constexpr absl::string_view kName = "TestFunction";

void Serialize(benchmark::State& state) {
  const std::vector<Value> args = ReferenceArguments();
  for (auto _ : state) {
    Bytes buffer(sandbox::EncodedSize(kName, args));
    absl::StatusOr<std::size_t> written = sandbox::EncodeCall(VMB_RECORD_CALL, kName, args, buffer);
    if (!Check(state, written, "encode")) break;
    benchmark::DoNotOptimize(buffer.data());
  }
}

void Deserialize(benchmark::State& state) {
  const std::vector<Value> args = ReferenceArguments();
  Bytes buffer(sandbox::EncodedSize(kName, args));
  if (!Check(state, sandbox::EncodeCall(VMB_RECORD_CALL, kName, args, buffer), "encode")) return;
  for (auto _ : state) {
    absl::StatusOr<sandbox::FunctionCall> call =
        sandbox::DecodeCall(VMB_RECORD_CALL, buffer, "benchmark call");
    if (!Check(state, call, "decode")) break;
    benchmark::DoNotOptimize(call->args.data());
  }
}

class SerializationSuite final : public Suite {
 public:
  bool NeedsHypervisor() const noexcept override { return false; }

  absl::StatusOr<std::vector<BenchmarkSpec>> Benchmarks(
      const SuiteContext& context) noexcept override {
    VMB_RETURN_IF_ERROR(CheckOptions("function_call_serialization", context.options, {}));
    return std::vector<BenchmarkSpec>{
        Spec("function_call_serialization", "serialize_function_call", "", Serialize),
        Spec("function_call_serialization", "deserialize_function_call", "", Deserialize)};
  }
};

}  // namespace
}  // namespace vmbench::vm_suites

VMBENCH_PLUGIN(vmbench::vm_suites::SerializationSuite, "function_call_serialization", "0.1.0",
               "Encoding and decoding a 40 MiB, 11-parameter guest call (no VM)");
