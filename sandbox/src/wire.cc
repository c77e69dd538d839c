#include "vmbench/sandbox/wire.h"

#include <array>
#include <cstring>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "vmbench/plugin/status_macros.h"

namespace vmbench::sandbox {
namespace {

static_assert(std::is_same_v<std::variant_alternative_t<VMB_VALUE_VOID, Value>, std::monostate>);
static_assert(std::is_same_v<std::variant_alternative_t<VMB_VALUE_I32, Value>, std::int32_t>);
static_assert(std::is_same_v<std::variant_alternative_t<VMB_VALUE_F64, Value>, double>);
static_assert(std::is_same_v<std::variant_alternative_t<VMB_VALUE_STRING, Value>, std::string>);
static_assert(std::is_same_v<std::variant_alternative_t<VMB_VALUE_BYTES, Value>, Bytes>);
static_assert(std::variant_size_v<Value> == VMB_VALUE_BYTES + 1);

constexpr std::array<absl::string_view, VMB_VALUE_BYTES + 1> kTypeNames = {
    "void", "i32", "u32", "i64", "u64", "f32", "f64", "bool", "string", "bytes"};

// Size of a value's data after its tag byte.
std::size_t DataSize(const Value& value) {
  return std::visit(
      [](const auto& v) -> std::size_t {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return 0;
        } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, Bytes>) {
          return sizeof(std::uint32_t) + v.size();
        } else {
          return sizeof(T);
        }
      },
      value);
}

std::size_t ValueSize(const Value& value) { return 1 + DataSize(value); }

std::size_t StringSize(std::size_t length) { return sizeof(std::uint32_t) + length; }

// Sequential writer into a buffer whose size the caller has already checked.
class Writer {
 public:
  explicit Writer(std::uint8_t* out) : out_(out) {}

  template <typename T>
  void Put(T value) {
    static_assert(std::is_trivially_copyable_v<T>);
    std::memcpy(out_ + pos_, &value, sizeof(T));  // x86-64 is little-endian, as the format
    pos_ += sizeof(T);
  }
  void PutBytes(const void* data, std::size_t size) {
    if (size != 0) std::memcpy(out_ + pos_, data, size);
    pos_ += size;
  }
  void PutString(absl::string_view s) {
    Put(static_cast<std::uint32_t>(s.size()));
    PutBytes(s.data(), s.size());
  }
  void PutHeader(vmb_record_kind kind, std::size_t payload_size) {
    Put<std::uint32_t>(VMB_WIRE_MAGIC);
    Put<std::uint16_t>(VMB_WIRE_VERSION);
    Put<std::uint16_t>(static_cast<std::uint16_t>(kind));
    Put<std::uint32_t>(static_cast<std::uint32_t>(payload_size));
    Put<std::uint32_t>(0);
  }
  void PutValue(const Value& value) {
    Put<std::uint8_t>(static_cast<std::uint8_t>(value.index()));
    std::visit(
        [this](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string>) {
            PutString(v);
          } else if constexpr (std::is_same_v<T, Bytes>) {
            Put(static_cast<std::uint32_t>(v.size()));
            PutBytes(v.data(), v.size());
          } else if constexpr (std::is_same_v<T, bool>) {
            Put<std::uint8_t>(v ? 1 : 0);
          } else if constexpr (!std::is_same_v<T, std::monostate>) {
            Put(v);
          }
        },
        value);
  }
  std::size_t position() const { return pos_; }

 private:
  std::uint8_t* out_;
  std::size_t pos_ = 0;
};

absl::Status CheckFits(std::size_t size, std::size_t capacity) {
  if (size > capacity) {
    return absl::ResourceExhaustedError(
        absl::StrCat("record of ", size, " bytes does not fit the ", capacity, "-byte buffer"));
  }
  return absl::OkStatus();
}

absl::Status CheckPayloadSize(std::size_t size) {
  if (size - VMB_WIRE_HEADER_SIZE > UINT32_MAX) {
    return absl::InvalidArgumentError(
        absl::StrCat("record payload of ", size, " bytes exceeds the format's 4 GiB limit"));
  }
  return absl::OkStatus();
}

bool IsCallKind(vmb_record_kind kind) {
  return kind == VMB_RECORD_CALL || kind == VMB_RECORD_HOST_CALL;
}

bool IsResultKind(vmb_record_kind kind) {
  return kind == VMB_RECORD_RESULT || kind == VMB_RECORD_HOST_RESULT;
}

// Sequential reader of an untrusted record. Every read checks the bytes left first, so no length
// the guest wrote can move it outside `data`; errors name the field and where it starts.
class Reader {
 public:
  Reader(std::span<const std::uint8_t> data, absl::string_view what, std::size_t start = 0)
      : data_(data), what_(what), pos_(start) {}

  std::size_t position() const { return pos_; }
  std::size_t left() const { return data_.size() - pos_; }

  absl::Status Error(std::size_t offset, absl::string_view field, absl::string_view problem) const {
    return absl::DataLossError(
        absl::StrCat(what_, ": ", field, " at offset ", offset, ": ", problem));
  }

  template <typename T>
  absl::StatusOr<T> Get(absl::string_view field) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (left() < sizeof(T)) {
      return Error(pos_, field,
                   absl::StrCat("needs ", sizeof(T), " bytes but ", left(), " are left"));
    }
    T value;
    std::memcpy(&value, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }

  // A u32 length and that many bytes; returns a view into the record.
  absl::StatusOr<std::span<const std::uint8_t>> GetLengthPrefixed(absl::string_view field) {
    const std::size_t start = pos_;
    VMB_ASSIGN_OR_RETURN(const std::uint32_t length, Get<std::uint32_t>(field));
    if (length > left()) {
      return Error(start, field,
                   absl::StrCat("length ", length, " exceeds the ", left(), " bytes left"));
    }
    std::span<const std::uint8_t> bytes = data_.subspan(pos_, length);
    pos_ += length;
    return bytes;
  }

  absl::StatusOr<Value> GetValue(absl::string_view field) {
    const std::size_t start = pos_;
    VMB_ASSIGN_OR_RETURN(const std::uint8_t tag, Get<std::uint8_t>(field));
    const std::string name =
        absl::StrCat(field, " (", tag < kTypeNames.size() ? kTypeNames[tag] : "?", ")");
    switch (tag) {
      case VMB_VALUE_VOID:
        return Value{};
      case VMB_VALUE_I32:
        return Wrap<std::int32_t>(name);
      case VMB_VALUE_U32:
        return Wrap<std::uint32_t>(name);
      case VMB_VALUE_I64:
        return Wrap<std::int64_t>(name);
      case VMB_VALUE_U64:
        return Wrap<std::uint64_t>(name);
      case VMB_VALUE_F32:
        return Wrap<float>(name);
      case VMB_VALUE_F64:
        return Wrap<double>(name);
      case VMB_VALUE_BOOL: {
        const std::size_t at = pos_;
        VMB_ASSIGN_OR_RETURN(const std::uint8_t b, Get<std::uint8_t>(name));
        if (b > 1) return Error(at, name, absl::StrCat("byte ", b, " is neither 0 nor 1"));
        return Value{b == 1};
      }
      case VMB_VALUE_STRING: {
        VMB_ASSIGN_OR_RETURN(const auto bytes, GetLengthPrefixed(name));
        return Value{std::string(bytes.begin(), bytes.end())};
      }
      case VMB_VALUE_BYTES: {
        VMB_ASSIGN_OR_RETURN(const auto bytes, GetLengthPrefixed(name));
        return Value{Bytes(bytes.begin(), bytes.end())};
      }
      default:
        return Error(start, field, absl::StrCat("unknown type tag ", tag));
    }
  }

 private:
  template <typename T>
  absl::StatusOr<Value> Wrap(absl::string_view field) {
    VMB_ASSIGN_OR_RETURN(const T v, Get<T>(field));
    return Value{v};
  }

  std::span<const std::uint8_t> data_;
  absl::string_view what_;
  std::size_t pos_;
};

// Checks the header of a record of `kind` and returns a reader limited to its payload.
absl::StatusOr<Reader> OpenRecord(vmb_record_kind kind, std::span<const std::uint8_t> in,
                                  absl::string_view what) {
  Reader header(in, what);
  VMB_ASSIGN_OR_RETURN(const std::uint32_t magic, header.Get<std::uint32_t>("magic"));
  if (magic != VMB_WIRE_MAGIC) {
    return header.Error(0, "magic", absl::StrFormat("0x%08x is not 0x%08x", magic, VMB_WIRE_MAGIC));
  }
  VMB_ASSIGN_OR_RETURN(const std::uint16_t version, header.Get<std::uint16_t>("version"));
  if (version != VMB_WIRE_VERSION) {
    return header.Error(
        4, "version", absl::StrCat(version, " is not supported (expected ", VMB_WIRE_VERSION, ")"));
  }
  VMB_ASSIGN_OR_RETURN(const std::uint16_t actual_kind, header.Get<std::uint16_t>("kind"));
  if (actual_kind != kind) {
    return header.Error(6, "kind", absl::StrCat(actual_kind, " is not the expected ", kind));
  }
  VMB_ASSIGN_OR_RETURN(const std::uint32_t payload_size, header.Get<std::uint32_t>("payload size"));
  VMB_ASSIGN_OR_RETURN(const std::uint32_t reserved, header.Get<std::uint32_t>("reserved"));
  if (reserved != 0) return header.Error(12, "reserved", absl::StrCat(reserved, " is not 0"));
  if (payload_size > header.left()) {
    return header.Error(
        8, "payload size",
        absl::StrCat(payload_size, " exceeds the ", header.left(), " bytes left in the buffer"));
  }
  return Reader(in.first(VMB_WIRE_HEADER_SIZE + payload_size), what, VMB_WIRE_HEADER_SIZE);
}

absl::Status CheckConsumed(const Reader& reader) {
  if (reader.left() != 0) {
    return reader.Error(reader.position(), "end of record",
                        absl::StrCat(reader.left(), " trailing bytes"));
  }
  return absl::OkStatus();
}

}  // namespace

std::string ValueTypeName(std::size_t tag) {
  if (tag < kTypeNames.size()) return std::string(kTypeNames[tag]);
  return absl::StrCat("tag ", tag);
}

std::size_t EncodedSize(absl::string_view name, std::span<const Value> args) {
  std::size_t size = VMB_WIRE_HEADER_SIZE + StringSize(name.size()) + sizeof(std::uint32_t);
  for (const Value& arg : args) size += ValueSize(arg);
  return size;
}

std::size_t EncodedSize(const FunctionResult& result) {
  return VMB_WIRE_HEADER_SIZE + sizeof(std::uint32_t) +
         (result.status == VMB_STATUS_OK ? ValueSize(result.value)
                                         : StringSize(result.message.size()));
}

absl::StatusOr<std::size_t> EncodeCall(vmb_record_kind kind, absl::string_view name,
                                       std::span<const Value> args, std::span<std::uint8_t> out) {
  if (!IsCallKind(kind))
    return absl::InvalidArgumentError(absl::StrCat("kind ", kind, " is not a call"));
  if (name.empty() || name.size() > VMB_WIRE_MAX_NAME) {
    return absl::InvalidArgumentError(absl::StrCat(
        "function name of ", name.size(), " bytes (must be 1 to ", VMB_WIRE_MAX_NAME, ")"));
  }
  if (args.size() > VMB_WIRE_MAX_ARGS) {
    return absl::InvalidArgumentError(absl::StrCat("call to ", name, " has ", args.size(),
                                                   " arguments (at most ", VMB_WIRE_MAX_ARGS, ")"));
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (std::holds_alternative<std::monostate>(args[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("call to ", name, ": argument ", i, " is void"));
    }
  }
  const std::size_t size = EncodedSize(name, args);
  VMB_RETURN_IF_ERROR(CheckPayloadSize(size));
  VMB_RETURN_IF_ERROR(CheckFits(size, out.size()));
  Writer w(out.data());
  w.PutHeader(kind, size - VMB_WIRE_HEADER_SIZE);
  w.PutString(name);
  w.Put(static_cast<std::uint32_t>(args.size()));
  for (const Value& arg : args) w.PutValue(arg);
  return w.position();
}

absl::StatusOr<std::size_t> EncodeResult(vmb_record_kind kind, const FunctionResult& result,
                                         std::span<std::uint8_t> out) {
  if (!IsResultKind(kind)) {
    return absl::InvalidArgumentError(absl::StrCat("kind ", kind, " is not a result"));
  }
  const std::size_t size = EncodedSize(result);
  VMB_RETURN_IF_ERROR(CheckPayloadSize(size));
  VMB_RETURN_IF_ERROR(CheckFits(size, out.size()));
  Writer w(out.data());
  w.PutHeader(kind, size - VMB_WIRE_HEADER_SIZE);
  w.Put(result.status);
  if (result.status == VMB_STATUS_OK) {
    w.PutValue(result.value);
  } else {
    w.PutString(result.message);
  }
  return w.position();
}

absl::StatusOr<FunctionCall> DecodeCall(vmb_record_kind kind, std::span<const std::uint8_t> in,
                                        absl::string_view what) {
  if (!IsCallKind(kind))
    return absl::InvalidArgumentError(absl::StrCat("kind ", kind, " is not a call"));
  VMB_ASSIGN_OR_RETURN(Reader r, OpenRecord(kind, in, what));
  const std::size_t name_at = r.position();
  VMB_ASSIGN_OR_RETURN(const auto name, r.GetLengthPrefixed("function name"));
  if (name.empty() || name.size() > VMB_WIRE_MAX_NAME) {
    return r.Error(name_at, "function name",
                   absl::StrCat("length ", name.size(), " is not 1 to ", VMB_WIRE_MAX_NAME));
  }
  FunctionCall call;
  call.name.assign(name.begin(), name.end());
  const std::size_t count_at = r.position();
  VMB_ASSIGN_OR_RETURN(const std::uint32_t count, r.Get<std::uint32_t>("argument count"));
  if (count > VMB_WIRE_MAX_ARGS) {
    return r.Error(count_at, "argument count",
                   absl::StrCat(count, " exceeds the limit of ", VMB_WIRE_MAX_ARGS));
  }
  call.args.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::size_t at = r.position();
    const std::string field = absl::StrCat("argument ", i);
    VMB_ASSIGN_OR_RETURN(Value arg, r.GetValue(field));
    if (std::holds_alternative<std::monostate>(arg)) return r.Error(at, field, "void argument");
    call.args.push_back(std::move(arg));
  }
  VMB_RETURN_IF_ERROR(CheckConsumed(r));
  return call;
}

absl::StatusOr<FunctionResult> DecodeResult(vmb_record_kind kind, std::span<const std::uint8_t> in,
                                            absl::string_view what) {
  if (!IsResultKind(kind)) {
    return absl::InvalidArgumentError(absl::StrCat("kind ", kind, " is not a result"));
  }
  VMB_ASSIGN_OR_RETURN(Reader r, OpenRecord(kind, in, what));
  FunctionResult result;
  const std::size_t status_at = r.position();
  VMB_ASSIGN_OR_RETURN(result.status, r.Get<std::uint32_t>("status"));
  if (result.status > VMB_STATUS_HOST_ERROR) {
    return r.Error(status_at, "status", absl::StrCat(result.status, " is not a known status"));
  }
  if (result.status == VMB_STATUS_OK) {
    VMB_ASSIGN_OR_RETURN(result.value, r.GetValue("return value"));
  } else {
    VMB_ASSIGN_OR_RETURN(const auto message, r.GetLengthPrefixed("error message"));
    result.message.assign(message.begin(), message.end());
  }
  VMB_RETURN_IF_ERROR(CheckConsumed(r));
  return result;
}

}  // namespace vmbench::sandbox
