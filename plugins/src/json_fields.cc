#include "vmbench/plugin/json_fields.h"

#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace vmbench {
namespace {

namespace json = boost::json;

json::string_view JsonKey(absl::string_view field) {
  return json::string_view(field.data(), field.size());
}

}  // namespace

JsonFields::JsonFields(absl::string_view file, std::string path)
    : file_(file), path_(std::move(path)) {}

absl::Status JsonFields::Error(absl::string_view field, absl::string_view problem) const {
  return absl::InvalidArgumentError(absl::StrCat(file_, ": ", Join(field), ": ", problem));
}

absl::Status JsonFields::ErrorHere(absl::string_view problem) const {
  // The root has no path; its errors read "<file>: <problem>".
  if (path_.empty()) return absl::InvalidArgumentError(absl::StrCat(file_, ": ", problem));
  return absl::InvalidArgumentError(absl::StrCat(file_, ": ", path_, ": ", problem));
}

JsonFields JsonFields::Child(absl::string_view field) const {
  return JsonFields(file_, Join(field));
}

JsonFields JsonFields::Index(std::size_t i) const {
  return JsonFields(file_, absl::StrCat(path_, "[", i, "]"));
}

const json::value* JsonFields::Find(const json::object& o, absl::string_view field) {
  return o.if_contains(JsonKey(field));
}

absl::StatusOr<const json::value*> JsonFields::Get(const json::object& o,
                                                   absl::string_view field) const {
  const json::value* v = Find(o, field);
  if (v == nullptr) return Error(field, "missing field");
  return v;
}

absl::StatusOr<std::string> JsonFields::String(const json::object& o,
                                               absl::string_view field) const {
  absl::StatusOr<const json::value*> v = Get(o, field);
  if (!v.ok()) return v.status();
  if (!(*v)->is_string()) return Error(field, "expected a string");
  return std::string((*v)->get_string());
}

absl::StatusOr<std::optional<std::string>> JsonFields::OptionalString(
    const json::object& o, absl::string_view field) const {
  const json::value* v = Find(o, field);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return Error(field, "expected a string or null");
  return std::optional<std::string>(std::string(v->get_string()));
}

absl::StatusOr<std::int64_t> JsonFields::Int(const json::object& o, absl::string_view field,
                                             std::int64_t min) const {
  absl::StatusOr<const json::value*> v = Get(o, field);
  if (!v.ok()) return v.status();
  std::int64_t value = 0;
  if ((*v)->is_int64()) {
    value = (*v)->get_int64();
  } else if ((*v)->is_uint64() && (*v)->get_uint64() <= INT64_MAX) {
    value = static_cast<std::int64_t>((*v)->get_uint64());
  } else {
    return Error(field, "expected an integer");
  }
  if (value < min) return Error(field, absl::StrCat("must be at least ", min));
  return value;
}

absl::StatusOr<std::uint64_t> JsonFields::UInt(const json::object& o,
                                               absl::string_view field) const {
  absl::StatusOr<const json::value*> v = Get(o, field);
  if (!v.ok()) return v.status();
  if ((*v)->is_uint64()) return (*v)->get_uint64();
  if ((*v)->is_int64() && (*v)->get_int64() >= 0) {
    return static_cast<std::uint64_t>((*v)->get_int64());
  }
  return Error(field, "expected a non-negative integer");
}

absl::StatusOr<double> JsonFields::NonNegative(const json::object& o,
                                               absl::string_view field) const {
  absl::StatusOr<const json::value*> v = Get(o, field);
  if (!v.ok()) return v.status();
  // null stands for NaN or infinity here (see the Google Benchmark importer), so it gets the same
  // message as a negative number rather than "expected a number".
  if (!(*v)->is_number() && !(*v)->is_null()) return Error(field, "expected a number");
  const double value = (*v)->is_null() ? NAN : (*v)->to_number<double>();
  if (!std::isfinite(value) || value < 0) {
    return Error(field, "expected a finite, non-negative number");
  }
  return value;
}

absl::StatusOr<bool> JsonFields::Bool(const json::object& o, absl::string_view field) const {
  absl::StatusOr<const json::value*> v = Get(o, field);
  if (!v.ok()) return v.status();
  if (!(*v)->is_bool()) return Error(field, "expected true or false");
  return (*v)->get_bool();
}

absl::StatusOr<bool> JsonFields::OptionalBool(const json::object& o, absl::string_view field,
                                              bool fallback) const {
  const json::value* v = Find(o, field);
  if (v == nullptr) return fallback;
  if (!v->is_bool()) return Error(field, "expected true or false");
  return v->get_bool();
}

absl::StatusOr<const json::object*> JsonFields::Object(const json::object& o,
                                                       absl::string_view field) const {
  absl::StatusOr<const json::value*> v = Get(o, field);
  if (!v.ok()) return v.status();
  if (!(*v)->is_object()) return Error(field, "expected an object");
  return &(*v)->get_object();
}

absl::StatusOr<const json::array*> JsonFields::Array(const json::object& o,
                                                     absl::string_view field) const {
  absl::StatusOr<const json::value*> v = Get(o, field);
  if (!v.ok()) return v.status();
  if (!(*v)->is_array()) return Error(field, "expected an array");
  return &(*v)->get_array();
}

absl::StatusOr<const json::object*> JsonFields::ElementObject(const json::array& a,
                                                              std::size_t i) const {
  if (!a[i].is_object()) return Index(i).ErrorHere("expected an object");
  return &a[i].get_object();
}

absl::StatusOr<double> JsonFields::ElementNonNegative(const json::array& a, std::size_t i) const {
  const json::value& v = a[i];
  const double value = v.is_number() ? v.to_number<double>() : NAN;
  if (!std::isfinite(value) || value < 0) {
    return Index(i).ErrorHere("expected a finite, non-negative number");
  }
  return value;
}

std::string JsonFields::Join(absl::string_view field) const {
  return path_.empty() ? std::string(field) : absl::StrCat(path_, ".", field);
}

}  // namespace vmbench
