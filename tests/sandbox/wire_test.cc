#include "vmbench/sandbox/wire.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>

namespace vmbench::sandbox {
namespace {

using Catch::Contains;

std::vector<Value> EveryType() {
  return {Value{std::int32_t{-7}},
          Value{std::uint32_t{0xFFFFFFFFu}},
          Value{std::int64_t{std::numeric_limits<std::int64_t>::min()}},
          Value{std::uint64_t{0x0123456789ABCDEFull}},
          Value{1.5f},
          Value{-0.1},
          Value{true},
          Value{std::string("héllo\0world", 12)},
          Value{Bytes{0, 1, 2, 255}}};
}

Bytes EncodeCallOrDie(vmb_record_kind kind, absl::string_view name, std::span<const Value> args) {
  Bytes out(EncodedSize(name, args));
  absl::StatusOr<std::size_t> written = EncodeCall(kind, name, args, out);
  REQUIRE(written.ok());
  REQUIRE(*written == out.size());
  return out;
}

Bytes EncodeResultOrDie(vmb_record_kind kind, const FunctionResult& result) {
  Bytes out(EncodedSize(result));
  absl::StatusOr<std::size_t> written = EncodeResult(kind, result, out);
  REQUIRE(written.ok());
  REQUIRE(*written == out.size());
  return out;
}

template <typename T>
void Poke(Bytes& record, std::size_t offset, T value) {
  REQUIRE(offset + sizeof(T) <= record.size());
  std::memcpy(record.data() + offset, &value, sizeof(T));
}

std::string CallError(const Bytes& record) {
  absl::StatusOr<FunctionCall> call = DecodeCall(VMB_RECORD_CALL, record, "guest call");
  REQUIRE_FALSE(call.ok());
  CHECK(call.status().code() == absl::StatusCode::kDataLoss);
  return std::string(call.status().message());
}

std::string ResultError(const Bytes& record) {
  absl::StatusOr<FunctionResult> result = DecodeResult(VMB_RECORD_RESULT, record, "guest result");
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().code() == absl::StatusCode::kDataLoss);
  return std::string(result.status().message());
}

TEST_CASE("a call with every value type round-trips", "[wire]") {
  const std::vector<Value> args = EveryType();
  const Bytes record = EncodeCallOrDie(VMB_RECORD_CALL, "Everything", args);
  absl::StatusOr<FunctionCall> call = DecodeCall(VMB_RECORD_CALL, record, "call");
  REQUIRE(call.ok());
  CHECK(call->name == "Everything");
  CHECK(call->args == args);
}

TEST_CASE("the header is laid out as documented", "[wire]") {
  const Value arg{std::int32_t{0x11223344}};
  const Bytes record = EncodeCallOrDie(VMB_RECORD_HOST_CALL, "Ab", {&arg, 1});
  // magic "VMBW", version 1, kind 3, payload 4+2 (name) + 4 (count) + 1+4 (i32) = 15, reserved 0
  const Bytes expected = {'V', 'M', 'B', 'W', 1,   0,   3, 0, 15, 0, 0, 0,    0,    0,    0,   0,
                          2,   0,   0,   0,   'A', 'b', 1, 0, 0,  0, 1, 0x44, 0x33, 0x22, 0x11};
  CHECK(record == expected);
}

TEST_CASE("results round-trip with a value or an error message", "[wire]") {
  for (const Value& value : EveryType()) {
    const FunctionResult ok{VMB_STATUS_OK, value, ""};
    absl::StatusOr<FunctionResult> back =
        DecodeResult(VMB_RECORD_RESULT, EncodeResultOrDie(VMB_RECORD_RESULT, ok), "result");
    REQUIRE(back.ok());
    CHECK(*back == ok);
  }
  const FunctionResult void_result{};
  CHECK(*DecodeResult(VMB_RECORD_HOST_RESULT,
                      EncodeResultOrDie(VMB_RECORD_HOST_RESULT, void_result), "r") == void_result);
  const FunctionResult error{VMB_STATUS_UNKNOWN_FUNCTION, {}, "no function Nope"};
  CHECK(*DecodeResult(VMB_RECORD_RESULT, EncodeResultOrDie(VMB_RECORD_RESULT, error), "r") ==
        error);
}

TEST_CASE("NaN and infinities survive the trip bit for bit", "[wire]") {
  const std::vector<Value> args = {Value{std::numeric_limits<double>::quiet_NaN()},
                                   Value{-std::numeric_limits<float>::infinity()}};
  absl::StatusOr<FunctionCall> call =
      DecodeCall(VMB_RECORD_CALL, EncodeCallOrDie(VMB_RECORD_CALL, "F", args), "call");
  REQUIRE(call.ok());
  CHECK(std::isnan(std::get<double>(call->args[0])));
  CHECK(std::get<float>(call->args[1]) == -std::numeric_limits<float>::infinity());
}

TEST_CASE("a buffer longer than the record is fine: the header says where it ends", "[wire]") {
  Bytes record = EncodeCallOrDie(VMB_RECORD_CALL, "Echo", EveryType());
  record.resize(record.size() + 100, 0xAA);
  CHECK(DecodeCall(VMB_RECORD_CALL, record, "call").ok());
}

TEST_CASE("encoding refuses what the format cannot carry", "[wire]") {
  Bytes out(1024);
  CHECK(EncodeCall(VMB_RECORD_CALL, "", {}, out).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(EncodeCall(VMB_RECORD_CALL, std::string(VMB_WIRE_MAX_NAME + 1, 'x'), {}, out)
            .status()
            .code() == absl::StatusCode::kInvalidArgument);
  const std::vector<Value> too_many(VMB_WIRE_MAX_ARGS + 1, Value{true});
  CHECK_THAT(std::string(EncodeCall(VMB_RECORD_CALL, "F", too_many, out).status().message()),
             Contains("33 arguments"));
  const Value void_arg{};
  CHECK(EncodeCall(VMB_RECORD_CALL, "F", {&void_arg, 1}, out).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(EncodeCall(VMB_RECORD_RESULT, "F", {}, out).status().code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("encoding into a buffer that is too small says so", "[wire]") {
  const Value big{std::string(100, 'x')};
  Bytes out(EncodedSize("Echo", {&big, 1}) - 1);
  absl::StatusOr<std::size_t> written = EncodeCall(VMB_RECORD_CALL, "Echo", {&big, 1}, out);
  REQUIRE_FALSE(written.ok());
  CHECK(written.status().code() == absl::StatusCode::kResourceExhausted);
  CHECK_THAT(std::string(written.status().message()), Contains("does not fit"));
}

TEST_CASE("truncated records are rejected at every length", "[wire]") {
  const Bytes record = EncodeCallOrDie(VMB_RECORD_CALL, "Echo", EveryType());
  for (std::size_t size = 0; size < record.size(); ++size) {
    const Bytes cut(record.begin(), record.begin() + static_cast<std::ptrdiff_t>(size));
    CAPTURE(size);
    CHECK_FALSE(DecodeCall(VMB_RECORD_CALL, cut, "call").ok());
  }
  const Bytes result = EncodeResultOrDie(VMB_RECORD_RESULT, {VMB_STATUS_OK, Value{Bytes(9)}, ""});
  for (std::size_t size = 0; size < result.size(); ++size) {
    const Bytes cut(result.begin(), result.begin() + static_cast<std::ptrdiff_t>(size));
    CAPTURE(size);
    CHECK_FALSE(DecodeResult(VMB_RECORD_RESULT, cut, "result").ok());
  }
}

TEST_CASE("header fields are checked", "[wire]") {
  const Bytes good = EncodeCallOrDie(VMB_RECORD_CALL, "Echo", {});
  Bytes bad = good;
  Poke<std::uint32_t>(bad, 0, 0xDEADBEEF);
  CHECK_THAT(CallError(bad), Contains("magic at offset 0"));
  bad = good;
  Poke<std::uint16_t>(bad, 4, 2);
  CHECK_THAT(CallError(bad), Contains("version at offset 4: 2 is not supported"));
  bad = good;
  Poke<std::uint16_t>(bad, 6, VMB_RECORD_RESULT);
  CHECK_THAT(CallError(bad), Contains("kind at offset 6"));
  bad = good;
  Poke<std::uint32_t>(bad, 12, 1);
  CHECK_THAT(CallError(bad), Contains("reserved at offset 12"));
  bad = good;
  Poke<std::uint32_t>(bad, 8, 0xFFFFFFFF);
  CHECK_THAT(CallError(bad), Contains("payload size at offset 8: 4294967295 exceeds"));
}

TEST_CASE("oversized lengths never read past the buffer", "[wire]") {
  const Value arg{std::string("hi")};
  Bytes record = EncodeCallOrDie(VMB_RECORD_CALL, "Echo", {&arg, 1});
  // The string's length field follows: header 16, name 4+4, count 4, tag 1.
  Poke<std::uint32_t>(record, 29, 0xFFFFFFFF);
  CHECK_THAT(CallError(record),
             Contains("argument 0 (string) at offset 29: length 4294967295 exceeds the 2 bytes"));

  Bytes name = EncodeCallOrDie(VMB_RECORD_CALL, "Echo", {});
  Poke<std::uint32_t>(name, 16, 9);
  CHECK_THAT(CallError(name),
             Contains("function name at offset 16: length 9 exceeds the 8 bytes left"));

  Bytes message = EncodeResultOrDie(VMB_RECORD_RESULT, {VMB_STATUS_HOST_ERROR, {}, "boom"});
  Poke<std::uint32_t>(message, 20, 0x7FFFFFFF);
  CHECK_THAT(ResultError(message), Contains("error message at offset 20"));
}

TEST_CASE("types, counts and bool bytes are checked", "[wire]") {
  const Value flag{true};
  Bytes record = EncodeCallOrDie(VMB_RECORD_CALL, "F", {&flag, 1});
  // header 16, name 4+1, count 4, then the tag at 25 and the bool byte at 26.
  Bytes bad = record;
  bad[25] = 42;
  CHECK_THAT(CallError(bad), Contains("argument 0 at offset 25: unknown type tag 42"));
  bad = record;
  bad[26] = 2;
  CHECK_THAT(CallError(bad), Contains("argument 0 (bool) at offset 26: byte 2 is neither 0 nor 1"));
  bad = record;
  bad[25] = VMB_VALUE_VOID;
  bad[26] = 0;
  // A void argument leaves one byte over, but the void is reported first.
  CHECK_THAT(CallError(bad), Contains("void argument"));
  bad = record;
  Poke<std::uint32_t>(bad, 21, VMB_WIRE_MAX_ARGS + 1);
  CHECK_THAT(CallError(bad), Contains("argument count at offset 21: 33 exceeds the limit of 32"));
  bad = record;
  Poke<std::uint32_t>(bad, 21, 2);
  CHECK_THAT(CallError(bad), Contains("argument 1"));

  Bytes status = EncodeResultOrDie(VMB_RECORD_RESULT, {});
  Poke<std::uint32_t>(status, 16, 99);
  CHECK_THAT(ResultError(status), Contains("status at offset 16: 99 is not a known status"));
}

TEST_CASE("trailing bytes inside the payload are an error", "[wire]") {
  Bytes record = EncodeCallOrDie(VMB_RECORD_CALL, "Echo", {});
  record.push_back(0);
  Poke<std::uint32_t>(record, 8, static_cast<std::uint32_t>(record.size() - 16));
  CHECK_THAT(CallError(record), Contains("end of record at offset 28: 1 trailing bytes"));
}

TEST_CASE("type names cover every tag", "[wire]") {
  CHECK(ValueTypeName(VMB_VALUE_I32) == "i32");
  CHECK(ValueTypeName(VMB_VALUE_BYTES) == "bytes");
  CHECK(ValueTypeName(77) == "tag 77");
}

}  // namespace
}  // namespace vmbench::sandbox
