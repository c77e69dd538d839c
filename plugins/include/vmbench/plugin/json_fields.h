// vmbench plugin SDK: reading untrusted JSON field by field.
//
// Result files, imported files and settings files come from other runs, other tools and other
// machines, so every field is type- and range-checked before use, and every error names the file
// and the JSON path of the field at fault. Callers link Boost::json.

#ifndef VMBENCH_PLUGIN_JSON_FIELDS_H_
#define VMBENCH_PLUGIN_JSON_FIELDS_H_

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vmbench {

// Typed access to the fields of one JSON object in an untrusted file. Every error is
// InvalidArgument with the message "<file>: <path>: <problem>", where path is the JSON path of the
// field, e.g. "benchmarks[3].real_time". A reader is a cheap value; it refers to `file`, which must
// outlive it.
class JsonFields {
 public:
  // A reader for the object at JSON path `path` ("" for the document root) of `file`.
  JsonFields(absl::string_view file, std::string path);

  // The error for `field` of this object.
  absl::Status Error(absl::string_view field, absl::string_view problem) const;
  // The error for this object (or array) itself.
  absl::Status ErrorHere(absl::string_view problem) const;

  // A reader for the object in `field` of this object.
  JsonFields Child(absl::string_view field) const;
  // A reader for element `i` of this array.
  JsonFields Index(std::size_t i) const;

  // The value of `field`, or nullptr when the object has no such field.
  static const boost::json::value* Find(const boost::json::object& o, absl::string_view field);

  // The value of a required field; "missing field" when absent.
  absl::StatusOr<const boost::json::value*> Get(const boost::json::object& o,
                                                absl::string_view field) const;

  // A required string.
  absl::StatusOr<std::string> String(const boost::json::object& o, absl::string_view field) const;
  // A string that may be absent or null (std::nullopt then).
  absl::StatusOr<std::optional<std::string>> OptionalString(const boost::json::object& o,
                                                            absl::string_view field) const;
  // A required integer of at least `min`.
  absl::StatusOr<std::int64_t> Int(const boost::json::object& o, absl::string_view field,
                                   std::int64_t min) const;
  // A required non-negative integer.
  absl::StatusOr<std::uint64_t> UInt(const boost::json::object& o, absl::string_view field) const;
  // A required finite, non-negative number (integer or floating point).
  absl::StatusOr<double> NonNegative(const boost::json::object& o, absl::string_view field) const;
  // A required boolean.
  absl::StatusOr<bool> Bool(const boost::json::object& o, absl::string_view field) const;
  // A boolean that may be absent (`fallback` then).
  absl::StatusOr<bool> OptionalBool(const boost::json::object& o, absl::string_view field,
                                    bool fallback) const;
  // A required object.
  absl::StatusOr<const boost::json::object*> Object(const boost::json::object& o,
                                                    absl::string_view field) const;
  // A required array.
  absl::StatusOr<const boost::json::array*> Array(const boost::json::object& o,
                                                  absl::string_view field) const;
  // Element `i` of the array this reader stands for, which must be an object.
  absl::StatusOr<const boost::json::object*> ElementObject(const boost::json::array& a,
                                                           std::size_t i) const;
  // Element `i` of the array this reader stands for, which must be a finite, non-negative number.
  absl::StatusOr<double> ElementNonNegative(const boost::json::array& a, std::size_t i) const;

  // The JSON path this reader stands for.
  const std::string& path() const { return path_; }

 private:
  std::string Join(absl::string_view field) const;

  absl::string_view file_;
  std::string path_;
};

}  // namespace vmbench

#endif  // VMBENCH_PLUGIN_JSON_FIELDS_H_
