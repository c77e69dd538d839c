// The registry: every accepted plugin by kind and case-insensitive name, with its object.
//
// Built from a ScanResult. For each plugin, in search order: a name already taken by a plugin of
// the same kind is a Rejection naming both files (the first one found stays); then the factory
// runs once, and a failing factory is a Rejection with the plugin's own message. Objects handed
// out keep their plugin's library loaded (the deleter holds the shared_library).

#ifndef VMBENCH_CORE_REGISTRY_H_
#define VMBENCH_CORE_REGISTRY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "plugin_loader.h"
#include "vmbench/plugin/hypervisor.h"
#include "vmbench/plugin/plugin.h"
#include "vmbench/plugin/reporter.h"
#include "vmbench/plugin/suite.h"

namespace vmbench {

// One registered plugin and the object its factory created.
struct RegisteredPlugin {
  LoadedPlugin info;
  std::shared_ptr<Plugin> instance;

  // Runs the factory again for a fresh object (used for reporters, one per --reporter flag).
  absl::StatusOr<std::shared_ptr<Plugin>> CreateInstance() const;
};

class Registry {
 public:
  // Registers the plugins of `scan`; rejections (duplicates, failing factories) are appended to
  // `rejections` after the scan's own.
  static Registry Build(ScanResult scan, std::vector<Rejection>* rejections);

  // All registered plugins, in search order.
  const std::vector<RegisteredPlugin>& plugins() const { return plugins_; }

  // The plugins of one kind, in search order.
  std::vector<const RegisteredPlugin*> OfKind(PluginKind kind) const;

  // The plugin of `kind` called `name` (case-insensitive), or nullptr.
  const RegisteredPlugin* Find(PluginKind kind, absl::string_view name) const;

  // Typed access to a plugin's object, or nullptr when there is no such plugin.
  std::shared_ptr<Suite> FindSuite(absl::string_view name) const;
  std::shared_ptr<Hypervisor> FindHypervisor(absl::string_view name) const;

  // A fresh reporter object, NotFound (listing the known reporters) when there is none by that
  // name.
  absl::StatusOr<std::shared_ptr<Reporter>> CreateReporter(absl::string_view name) const;

  // The names of the plugins of one kind, comma-separated, for error messages.
  std::string Names(PluginKind kind) const;

 private:
  std::vector<RegisteredPlugin> plugins_;
};

}  // namespace vmbench

#endif  // VMBENCH_CORE_REGISTRY_H_
