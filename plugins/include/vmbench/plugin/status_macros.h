// vmbench plugin SDK: Status helpers that Abseil 20220623 does not have yet.
//
//   VMB_RETURN_IF_ERROR(expr)        returns the status of `expr` when it is not OK;
//   VMB_ASSIGN_OR_RETURN(lhs, expr)  assigns the value of a StatusOr, or returns its status;
//   VMB_CHECK(cond)                  aborts with file and line when an invariant is broken (a bug,
//                                    never bad input: bad input is a Status).

#ifndef VMBENCH_PLUGIN_STATUS_MACROS_H_
#define VMBENCH_PLUGIN_STATUS_MACROS_H_

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define VMB_INTERNAL_CONCAT2(a, b) a##b
#define VMB_INTERNAL_CONCAT(a, b) VMB_INTERNAL_CONCAT2(a, b)

#define VMB_RETURN_IF_ERROR(expr)                                 \
  do {                                                            \
    if (::absl::Status vmb_status_ = (expr); !vmb_status_.ok()) { \
      return vmb_status_;                                         \
    }                                                             \
  } while (false)

#define VMB_ASSIGN_OR_RETURN(lhs, expr) \
  VMB_INTERNAL_ASSIGN_OR_RETURN(VMB_INTERNAL_CONCAT(vmb_statusor_, __LINE__), lhs, expr)

#define VMB_INTERNAL_ASSIGN_OR_RETURN(statusor, lhs, expr) \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = *std::move(statusor)

#define VMB_CHECK(cond)                                                                 \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "%s:%d: VMB_CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (false)

#endif  // VMBENCH_PLUGIN_STATUS_MACROS_H_
