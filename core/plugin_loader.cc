#include "plugin_loader.h"

#include <algorithm>
#include <boost/dll/library_info.hpp>
#include <boost/dll/runtime_symbol_info.hpp>
#include <cstddef>
#include <exception>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace vmbench {
namespace {

constexpr const char* kSection = "vmbench";
constexpr const char* kAlias = "vmbench_plugin";

// The descriptor of ABI 1.0 ends after `create`; a smaller struct_size cannot be read safely.
constexpr std::size_t kMinDescriptorSize =
    offsetof(PluginDescriptor, create) + sizeof(PluginFactory);

Rejection Reject(const std::filesystem::path& path, std::string reason) {
  return Rejection{path.string(), std::move(reason)};
}

}  // namespace

std::string Rejection::ToString() const {
  return absl::StrCat("rejected plugin ", path, ": ", reason);
}

std::vector<std::filesystem::path> PluginSearchPath::Folders() const {
  std::vector<std::filesystem::path> folders = plugin_dirs;
  for (absl::string_view entry : absl::StrSplit(env_path, ':', absl::SkipEmpty())) {
    folders.emplace_back(std::string(entry));
  }
  if (!install_dir.empty()) folders.push_back(install_dir);
  std::vector<std::filesystem::path> unique;
  std::set<std::filesystem::path> seen;
  for (const std::filesystem::path& folder : folders) {
    std::error_code ec;
    std::filesystem::path canonical = std::filesystem::weakly_canonical(folder, ec);
    if (ec) canonical = folder;
    if (seen.insert(canonical).second) unique.push_back(folder);
  }
  return unique;
}

std::filesystem::path DefaultInstallDir() {
  std::error_code ec;
  const boost::dll::fs::path exe = boost::dll::program_location(ec);
  if (ec) return {};
  return exe.parent_path().parent_path() / "lib" / "vmbench" / "plugins";
}

LoadOutcome LoadPluginFile(const std::filesystem::path& path) {
  LoadOutcome outcome;
  // Steps 1 and 2 read the file's headers only: no code of a non-plugin ever runs.
  try {
    boost::dll::library_info info(path);
    const std::vector<std::string> sections = info.sections();
    if (std::find(sections.begin(), sections.end(), kSection) == sections.end()) {
      outcome.rejection = Reject(path,
                                 "no descriptor (no 'vmbench' section; was it built with "
                                 "VMBENCH_PLUGIN?)");
      return outcome;
    }
    const std::vector<std::string> symbols = info.symbols(kSection);
    if (symbols.size() != 1 || symbols.front() != kAlias) {
      outcome.rejection = Reject(
          path, absl::StrCat("the 'vmbench' section must hold exactly one descriptor named '",
                             kAlias, "', found ", symbols.size(), " symbol(s)"));
      return outcome;
    }
  } catch (const std::exception& e) {
    outcome.rejection = Reject(path, absl::StrCat("not a shared library (", e.what(), ")"));
    return outcome;
  }

  auto library = std::make_shared<boost::dll::shared_library>();
  boost::dll::fs::error_code ec;
  library->load(path, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec) {
    outcome.rejection = Reject(path, absl::StrCat("cannot be loaded: ", ec.message()));
    return outcome;
  }
  if (!library->has(kAlias)) {
    outcome.rejection = Reject(path, absl::StrCat("no exported symbol '", kAlias, "'"));
    return outcome;
  }
  const PluginDescriptor& d = library->get_alias<const PluginDescriptor>(kAlias);
  // Size and ABI major first: only they are guaranteed to be where this build expects them.
  if (d.struct_size < kMinDescriptorSize) {
    outcome.rejection =
        Reject(path, absl::StrCat("descriptor of ", d.struct_size, " bytes is too small (at least ",
                                  kMinDescriptorSize, " expected)"));
    return outcome;
  }
  if (d.abi_major != kAbiMajor) {
    outcome.rejection =
        Reject(path, absl::StrCat("ABI major version ", d.abi_major,
                                  " does not match this "
                                  "vmbench's ",
                                  kAbiMajor, " (rebuild the plugin against this SDK)"));
    return outcome;
  }
  if (d.build_id == nullptr || absl::string_view(d.build_id) != kBuildId) {
    outcome.rejection =
        Reject(path, absl::StrCat("build id '", d.build_id == nullptr ? "(null)" : d.build_id,
                                  "' does not match this vmbench's '", kBuildId,
                                  "' (same compiler family and standard library needed)"));
    return outcome;
  }
  const absl::string_view kind = PluginKindName(d.kind);
  if (kind == "unknown") {
    outcome.rejection =
        Reject(path, absl::StrCat("unknown plugin kind ", static_cast<std::uint32_t>(d.kind)));
    return outcome;
  }
  if (d.name == nullptr || *d.name == '\0') {
    outcome.rejection = Reject(path, "descriptor has no name");
    return outcome;
  }
  if (d.create == nullptr) {
    outcome.rejection = Reject(path, "descriptor has no factory");
    return outcome;
  }
  outcome.plugin = std::make_unique<LoadedPlugin>(LoadedPlugin{
      .path = path.string(),
      .kind = d.kind,
      .name = d.name,
      .version = d.version == nullptr ? "" : d.version,
      .summary = d.summary == nullptr ? "" : d.summary,
      .build_id = d.build_id,
      .create = d.create,
      .library = std::move(library),
  });
  return outcome;
}

ScanResult ScanPlugins(const PluginSearchPath& search) {
  ScanResult result;
  const std::set<std::filesystem::path> requested(search.plugin_dirs.begin(),
                                                  search.plugin_dirs.end());
  for (const std::filesystem::path& folder : search.Folders()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec)) {
      if (requested.count(folder) != 0) {
        result.rejections.push_back(Reject(folder, "--plugin-dir is not a directory"));
      }
      continue;
    }
    std::vector<std::filesystem::path> candidates;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
      if (entry.path().extension() == ".so" && entry.is_regular_file(ec)) {
        candidates.push_back(entry.path());
      }
    }
    std::sort(candidates.begin(), candidates.end());
    for (const std::filesystem::path& candidate : candidates) {
      LoadOutcome outcome = LoadPluginFile(candidate);
      if (outcome.plugin != nullptr) {
        result.plugins.push_back(std::move(*outcome.plugin));
      } else {
        result.rejections.push_back(std::move(outcome.rejection));
      }
    }
  }
  return result;
}

}  // namespace vmbench
