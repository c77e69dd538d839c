// Finding and loading the backend that `counting` wraps.
//
// A plugin never links another plugin (docs/architecture.md), and it cannot reach the host's
// registry, so `counting` loads the wrapped backend's plugin file itself, with the same checks the
// host's loader makes (core/plugin_loader.cc): the `vmbench_plugin` descriptor, its ABI major
// version and build id, its kind, then its factory.
//
// Which backend: the environment variable VMBENCH_COUNTING_BACKEND, default `emulator`. A value
// with a `/` is the path of a plugin file; any other value is a backend name N, whose file
// libvmbench_hypervisor_N.so is looked for in this plugin's own folder, then in each folder of
// VMBENCH_PLUGIN_PATH, then in the plugin folder of the running vmbench (../lib/vmbench/plugins
// beside the executable). Folders given to the host with --plugin-dir are not visible from here:
// put the wrapped backend beside `counting` or name its file.

#ifndef VMBENCH_EXAMPLES_INNER_BACKEND_H_
#define VMBENCH_EXAMPLES_INNER_BACKEND_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "vmbench/plugin/hypervisor.h"

namespace vmbench::counting {

// The wrapped backend. `hypervisor`'s deleter holds the plugin library, so the library stays
// loaded while the object (or a copy of this shared_ptr) lives.
struct InnerBackend {
  std::string name;  // from its descriptor, e.g. "emulator"
  std::string path;  // the plugin file it was loaded from
  std::shared_ptr<Hypervisor> hypervisor;
};

// Finds, validates and instantiates the backend named by VMBENCH_COUNTING_BACKEND. Errors:
// NotFound (no such plugin file), FailedPrecondition (the file is not a loadable backend plugin of
// this SDK, or it is `counting` itself), or the factory's own status.
absl::StatusOr<InnerBackend> LoadInnerBackend() noexcept;

}  // namespace vmbench::counting

#endif  // VMBENCH_EXAMPLES_INNER_BACKEND_H_
