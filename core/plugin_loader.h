// Finds vmbench plugins on disk and validates them before anything of theirs runs.
//
// Search order: every --plugin-dir (in the order given), then each entry of VMBENCH_PLUGIN_PATH
// (colon-separated), then the install folder next to the executable (../lib/vmbench/plugins).
// In each folder, every regular file named *.so is a candidate, in name order. A candidate is
// accepted when, in this order:
//   1. it is an ELF shared library (read with boost::dll::library_info; nothing is loaded);
//   2. its section `vmbench` holds exactly the one alias `vmbench_plugin` (still nothing loaded);
//   3. it loads (dlopen, RTLD_NOW | RTLD_LOCAL) and its descriptor has a known size, the same ABI
//      major version and the same build id as this vmbench, a kind, and a name.
// Anything else is a Rejection: one line naming the file and the reason. Creating the plugin's
// object (the factory) and duplicate names are the registry's business (registry.h).

#ifndef VMBENCH_CORE_PLUGIN_LOADER_H_
#define VMBENCH_CORE_PLUGIN_LOADER_H_

#include <boost/dll/shared_library.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "vmbench/plugin/plugin.h"

namespace vmbench {

// A file that was not accepted, and why.
struct Rejection {
  std::string path;
  std::string reason;

  // "rejected plugin PATH: REASON"
  std::string ToString() const;
};

// A plugin that passed the checks of steps 1-3, with its descriptor's strings copied.
struct LoadedPlugin {
  std::string path;
  PluginKind kind = PluginKind::kSuite;
  std::string name;
  std::string version;
  std::string summary;
  std::string build_id;
  PluginFactory create = nullptr;
  // Keeps the library loaded while this or any object it created is alive.
  std::shared_ptr<boost::dll::shared_library> library;
};

// Where to look for plugins.
struct PluginSearchPath {
  std::vector<std::filesystem::path> plugin_dirs;  // --plugin-dir, in order
  std::string env_path;                            // the value of VMBENCH_PLUGIN_PATH, if any
  std::filesystem::path install_dir;               // ../lib/vmbench/plugins beside the executable

  // The folders to scan, in search order, without duplicates.
  std::vector<std::filesystem::path> Folders() const;
};

// The default install folder: ../lib/vmbench/plugins relative to the running executable.
std::filesystem::path DefaultInstallDir();

// Validates one file (steps 1-3).
struct LoadOutcome {
  std::unique_ptr<LoadedPlugin> plugin;  // set when accepted
  Rejection rejection;                   // set when plugin is null
};
LoadOutcome LoadPluginFile(const std::filesystem::path& path);

// Scans every folder of `search` and validates every candidate file. Missing folders from
// VMBENCH_PLUGIN_PATH or the install folder are skipped silently; a missing --plugin-dir is a
// Rejection (the user asked for it).
struct ScanResult {
  std::vector<LoadedPlugin> plugins;
  std::vector<Rejection> rejections;
};
ScanResult ScanPlugins(const PluginSearchPath& search);

}  // namespace vmbench

#endif  // VMBENCH_CORE_PLUGIN_LOADER_H_
