#include "inner_backend.h"

#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <cstddef>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <system_error>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "vmbench/plugin/status_macros.h"

namespace vmbench::counting {
namespace {

constexpr const char* kDefaultBackend = "emulator";
constexpr const char* kSelf = "counting";
// The symbol VMBENCH_PLUGIN exports (plugin.h).
constexpr const char* kAlias = "vmbench_plugin";
// Fields up to `create` exist in every descriptor of ABI major 1 (the host checks the same).
constexpr std::size_t kMinDescriptorSize =
    offsetof(PluginDescriptor, create) + sizeof(PluginFactory);

absl::Status LoadError(const std::filesystem::path& path, absl::string_view cause) {
  return absl::FailedPreconditionError(
      absl::StrCat("counting: loading backend ", path.string(), " failed: ", cause));
}

std::vector<std::filesystem::path> SearchFolders() {
  std::vector<std::filesystem::path> folders;
  std::error_code ec;
  // The file holding this very code: the `counting` plugin.
  const std::filesystem::path self = boost::dll::this_line_location(ec);
  if (!ec) folders.push_back(self.parent_path());
  if (const char* path = std::getenv("VMBENCH_PLUGIN_PATH")) {
    for (absl::string_view folder : absl::StrSplit(path, ':', absl::SkipEmpty())) {
      folders.emplace_back(std::string(folder));
    }
  }
  const std::filesystem::path exe = boost::dll::program_location(ec);
  if (!ec) folders.push_back(exe.parent_path().parent_path() / "lib" / "vmbench" / "plugins");
  return folders;
}

absl::StatusOr<std::filesystem::path> FindPluginFile(const std::string& backend) {
  if (absl::StrContains(backend, '/')) return std::filesystem::path(backend);
  const std::string file = absl::StrCat("libvmbench_hypervisor_", backend, ".so");
  std::vector<std::string> searched;
  for (const std::filesystem::path& folder : SearchFolders()) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(folder / file, ec)) return folder / file;
    searched.push_back(folder.string());
  }
  return absl::NotFoundError(absl::StrCat("counting: finding backend '", backend, "' failed: no ",
                                          file, " in ", absl::StrJoin(searched, ", ")));
}

absl::StatusOr<InnerBackend> Load() {
  const char* env = std::getenv("VMBENCH_COUNTING_BACKEND");
  const std::string backend = env != nullptr && *env != '\0' ? env : kDefaultBackend;
  if (backend == kSelf) {
    return absl::FailedPreconditionError(
        "counting: choosing the backend failed: VMBENCH_COUNTING_BACKEND names counting itself");
  }
  VMB_ASSIGN_OR_RETURN(const std::filesystem::path path, FindPluginFile(backend));

  // RTLD_LOCAL like the host: the backend's symbols must not satisfy anyone else's. Loading a file
  // the host has loaded already only takes another reference to it.
  auto library = std::make_shared<boost::dll::shared_library>();
  std::error_code ec;
  library->load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec) return LoadError(path, ec.message());
  if (!library->has(kAlias)) return LoadError(path, "not a vmbench plugin (no descriptor)");
  const PluginDescriptor& d = library->get_alias<const PluginDescriptor>(kAlias);
  // The same order as the host: the fields whose offsets never change, then the rest.
  if (d.struct_size < kMinDescriptorSize || d.abi_major != kAbiMajor) {
    return LoadError(path, absl::StrCat("ABI major version ", d.abi_major, ", not ", kAbiMajor));
  }
  if (d.build_id == nullptr || absl::string_view(d.build_id) != kBuildId) {
    return LoadError(path, absl::StrCat("build id '", d.build_id == nullptr ? "" : d.build_id,
                                        "' is not '", kBuildId, "'"));
  }
  if (d.kind != PluginKind::kHypervisor) {
    return LoadError(path, absl::StrCat("a ", PluginKindName(d.kind), " plugin, not a backend"));
  }
  if (d.name == nullptr || absl::string_view(d.name) == kSelf) {
    return LoadError(path, "that is counting itself");
  }
  absl::StatusOr<std::unique_ptr<Plugin>> created = d.create();
  if (!created.ok()) return LoadError(path, created.status().ToString());
  Plugin* plugin = created->release();
  auto* hypervisor = dynamic_cast<Hypervisor*>(plugin);
  if (hypervisor == nullptr) {
    delete plugin;
    return LoadError(path, "its factory did not create a Hypervisor");
  }
  return InnerBackend{
      d.name, path.string(),
      std::shared_ptr<Hypervisor>(hypervisor, [library](Hypervisor* object) { delete object; })};
}

}  // namespace

absl::StatusOr<InnerBackend> LoadInnerBackend() noexcept {
  // Boost.DLL and std::filesystem report some failures by throwing; none may leave the plugin.
  try {
    return Load();
  } catch (const std::exception& e) {
    return absl::InternalError(
        absl::StrCat("counting: loading the wrapped backend failed: ", e.what()));
  }
}

}  // namespace vmbench::counting
