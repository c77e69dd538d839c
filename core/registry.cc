#include "registry.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace vmbench {
namespace {

// Wraps an object of a plugin so that deleting it runs the plugin's destructor while its library
// is still loaded; the library is released after, when the deleter itself is destroyed.
std::shared_ptr<Plugin> Own(std::unique_ptr<Plugin> object,
                            std::shared_ptr<boost::dll::shared_library> library) {
  return std::shared_ptr<Plugin>(object.release(),
                                 [library = std::move(library)](Plugin* p) { delete p; });
}

// Whether `object` really is of the interface its descriptor's kind promises. The interfaces'
// type_info lives in the SDK library, shared by host and plugins, so dynamic_cast is reliable.
bool IsOfKind(Plugin* object, PluginKind kind) {
  switch (kind) {
    case PluginKind::kHypervisor:
      return dynamic_cast<Hypervisor*>(object) != nullptr;
    case PluginKind::kSuite:
      return dynamic_cast<Suite*>(object) != nullptr;
    case PluginKind::kReporter:
      return dynamic_cast<Reporter*>(object) != nullptr;
  }
  return false;
}

}  // namespace

absl::StatusOr<std::shared_ptr<Plugin>> RegisteredPlugin::CreateInstance() const {
  absl::StatusOr<std::unique_ptr<Plugin>> object = info.create();
  if (!object.ok()) {
    return absl::Status(object.status().code(),
                        absl::StrCat(info.name, ": factory failed: ", object.status().message()));
  }
  if (*object == nullptr) {
    return absl::InternalError(absl::StrCat(info.name, ": factory returned no object"));
  }
  if (!IsOfKind(object->get(), info.kind)) {
    return absl::InternalError(absl::StrCat(info.name, ": factory created an object that is not a ",
                                            PluginKindName(info.kind)));
  }
  return Own(*std::move(object), info.library);
}

Registry Registry::Build(ScanResult scan, std::vector<Rejection>* rejections) {
  for (Rejection& r : scan.rejections) rejections->push_back(std::move(r));
  Registry registry;
  for (LoadedPlugin& plugin : scan.plugins) {
    if (const RegisteredPlugin* first = registry.Find(plugin.kind, plugin.name)) {
      rejections->push_back(Rejection{
          plugin.path, absl::StrCat("duplicate ", PluginKindName(plugin.kind), " name '",
                                    plugin.name, "': already provided by ", first->info.path)});
      continue;
    }
    RegisteredPlugin entry{std::move(plugin), nullptr};
    absl::StatusOr<std::shared_ptr<Plugin>> instance = entry.CreateInstance();
    if (!instance.ok()) {
      rejections->push_back(Rejection{entry.info.path, std::string(instance.status().message())});
      continue;
    }
    entry.instance = *std::move(instance);
    registry.plugins_.push_back(std::move(entry));
  }
  return registry;
}

std::vector<const RegisteredPlugin*> Registry::OfKind(PluginKind kind) const {
  std::vector<const RegisteredPlugin*> result;
  for (const RegisteredPlugin& p : plugins_) {
    if (p.info.kind == kind) result.push_back(&p);
  }
  return result;
}

const RegisteredPlugin* Registry::Find(PluginKind kind, absl::string_view name) const {
  for (const RegisteredPlugin& p : plugins_) {
    if (p.info.kind == kind && absl::EqualsIgnoreCase(p.info.name, name)) return &p;
  }
  return nullptr;
}

std::shared_ptr<Suite> Registry::FindSuite(absl::string_view name) const {
  const RegisteredPlugin* p = Find(PluginKind::kSuite, name);
  return p == nullptr ? nullptr : std::static_pointer_cast<Suite>(p->instance);
}

std::shared_ptr<Hypervisor> Registry::FindHypervisor(absl::string_view name) const {
  const RegisteredPlugin* p = Find(PluginKind::kHypervisor, name);
  return p == nullptr ? nullptr : std::static_pointer_cast<Hypervisor>(p->instance);
}

absl::StatusOr<std::shared_ptr<Reporter>> Registry::CreateReporter(absl::string_view name) const {
  const RegisteredPlugin* p = Find(PluginKind::kReporter, name);
  if (p == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("unknown reporter '", name, "' (known: ", Names(PluginKind::kReporter), ")"));
  }
  absl::StatusOr<std::shared_ptr<Plugin>> object = p->CreateInstance();
  if (!object.ok()) return object.status();
  return std::static_pointer_cast<Reporter>(*std::move(object));
}

std::string Registry::Names(PluginKind kind) const {
  std::vector<std::string> names;
  for (const RegisteredPlugin* p : OfKind(kind)) names.push_back(p->info.name);
  return names.empty() ? "none" : absl::StrJoin(names, ", ");
}

}  // namespace vmbench
