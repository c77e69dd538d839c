// vmbench plugin SDK: the plugin descriptor, the ABI version and the export macro.
//
// A vmbench plugin is one shared library that exports exactly one `PluginDescriptor` through
// `VMBENCH_PLUGIN(...)`. The macro places an alias named `vmbench_plugin` in the ELF section
// `vmbench`, so the host can tell a plugin from any other shared library with
// `boost::dll::library_info` before it loads the file. The host then reads the descriptor, checks
// its size, ABI major version and build id, and only then calls `create`.
//
// Minimal example (a suite plugin):
//
//   class MySuite final : public vmbench::Suite { ... };
//   VMBENCH_PLUGIN(MySuite, "my_suite", "1.0.0", "What my suite measures");
//
// The kind (hypervisor, suite or reporter) is deduced from the class's base at compile time.

#ifndef VMBENCH_PLUGIN_PLUGIN_H_
#define VMBENCH_PLUGIN_PLUGIN_H_

#include <boost/dll/alias.hpp>
#include <cstdint>
#include <memory>
#include <type_traits>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vmbench {

// ABI version of this SDK. A plugin built against another major version is rejected; a plugin
// with a lower minor version still loads (minor versions only append to the descriptor and add
// new virtual functions at the end of interfaces, which plugins built earlier do not override).
inline constexpr std::uint16_t kAbiMajor = 1;
inline constexpr std::uint16_t kAbiMinor = 0;

// The three kinds of plugin. The numeric values are part of the ABI.
enum class PluginKind : std::uint32_t {
  kHypervisor = 1,
  kSuite = 2,
  kReporter = 3,
};

// Returns "hypervisor", "suite" or "reporter" ("unknown" for anything else).
absl::string_view PluginKindName(PluginKind kind) noexcept;

// Base class of every object a plugin's factory creates. The destructor is defined out of line in
// the SDK library, so that every plugin shares one vtable and type_info for it.
class Plugin {
 public:
  Plugin() = default;
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;
  virtual ~Plugin();
};

// Creates the plugin's object. Called by the host once per process, after the descriptor has
// been validated. Must be cheap: it constructs, it does not probe hardware or run benchmarks.
using PluginFactory = absl::StatusOr<std::unique_ptr<Plugin>> (*)() noexcept;

// What a plugin exports. The first three fields are read before anything else, so their types and
// offsets never change; later ABI minor versions may only append fields.
struct PluginDescriptor {
  std::uint32_t struct_size;  // sizeof(PluginDescriptor) as the plugin was built
  std::uint16_t abi_major;
  std::uint16_t abi_minor;
  PluginKind kind;
  const char* name;      // unique per kind, case-insensitive, [a-z0-9_] by convention
  const char* version;   // the plugin's own version, free form ("1.2.0")
  const char* summary;   // one line shown by `vmbench list plugins`
  const char* build_id;  // compiler, standard library ABI and vmbench ABI; see kBuildId
  PluginFactory create;
};

// The compiler family and major version, the C++ standard library and its ABI, and the vmbench
// ABI major version. Objects cross the plugin boundary as C++ classes (std::string, absl::Status,
// virtual calls), so host and plugin must agree on all three; the loader compares this string
// byte for byte with its own.
#if defined(__clang__)
#define VMBENCH_INTERNAL_COMPILER "clang-" VMBENCH_INTERNAL_STR(__clang_major__)
#elif defined(__GNUC__)
#define VMBENCH_INTERNAL_COMPILER "gcc-" VMBENCH_INTERNAL_STR(__GNUC__)
#else
#define VMBENCH_INTERNAL_COMPILER "unknown-compiler"
#endif
#if defined(_LIBCPP_VERSION)
#define VMBENCH_INTERNAL_STDLIB "libc++"
#elif defined(_GLIBCXX_USE_CXX11_ABI) && _GLIBCXX_USE_CXX11_ABI
#define VMBENCH_INTERNAL_STDLIB "libstdc++-cxx11"
#else
#define VMBENCH_INTERNAL_STDLIB "libstdc++-old"
#endif
#define VMBENCH_INTERNAL_STR2(x) #x
#define VMBENCH_INTERNAL_STR(x) VMBENCH_INTERNAL_STR2(x)
#define VMBENCH_INTERNAL_BUILD_ID \
  VMBENCH_INTERNAL_COMPILER       \
  "/" VMBENCH_INTERNAL_STDLIB     \
  "/vmbench-abi-" VMBENCH_INTERNAL_STR(VMBENCH_INTERNAL_ABI_MAJOR_LITERAL)
// Kept equal to kAbiMajor; a static_assert in the SDK library checks it.
#define VMBENCH_INTERNAL_ABI_MAJOR_LITERAL 1

// The build id of the code that includes this header.
inline constexpr absl::string_view kBuildId = VMBENCH_INTERNAL_BUILD_ID;

class Hypervisor;
class Suite;
class Reporter;

namespace plugin_internal {

template <typename T>
constexpr PluginKind KindOf() {
  if constexpr (std::is_base_of_v<Hypervisor, T>) {
    return PluginKind::kHypervisor;
  } else if constexpr (std::is_base_of_v<Suite, T>) {
    return PluginKind::kSuite;
  } else {
    static_assert(std::is_base_of_v<Reporter, T>,
                  "a vmbench plugin class derives from Hypervisor, Suite or Reporter");
    return PluginKind::kReporter;
  }
}

// The factory every VMBENCH_PLUGIN gets: constructs T. A constructor that throws becomes an
// Internal status here, inside the plugin, so no exception reaches the host.
template <typename T>
absl::StatusOr<std::unique_ptr<Plugin>> Create() noexcept {
  try {
    return std::unique_ptr<Plugin>(std::make_unique<T>());
  } catch (const std::exception& e) {
    return absl::InternalError(e.what());
  } catch (...) {
    return absl::InternalError("constructor threw a non-standard exception");
  }
}

}  // namespace plugin_internal
}  // namespace vmbench

// Exports the one descriptor of this shared library. Use once, at global scope, in one .cc file.
// `Class` is default-constructible and derives from vmbench::Hypervisor, Suite or Reporter.
#define VMBENCH_PLUGIN(Class, Name, Version, Summary)          \
  namespace {                                                  \
  const ::vmbench::PluginDescriptor vmbench_plugin_descriptor{ \
      sizeof(::vmbench::PluginDescriptor),                     \
      ::vmbench::kAbiMajor,                                    \
      ::vmbench::kAbiMinor,                                    \
      ::vmbench::plugin_internal::KindOf<Class>(),             \
      Name,                                                    \
      Version,                                                 \
      Summary,                                                 \
      VMBENCH_INTERNAL_BUILD_ID,                               \
      &::vmbench::plugin_internal::Create<Class>};             \
  }                                                            \
  BOOST_DLL_ALIAS_SECTIONED(vmbench_plugin_descriptor, vmbench_plugin, vmbench)

#endif  // VMBENCH_PLUGIN_PLUGIN_H_
