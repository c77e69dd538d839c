#include "whp_api.h"

#include <string>

namespace vmbench::whp {
namespace {

constexpr char kEnableFeature[] =
    "enable the Windows feature \"Windows Hypervisor Platform\" (in an administrator PowerShell: "
    "Enable-WindowsOptionalFeature -Online -FeatureName HypervisorPlatform) and reboot";

// Loads `dll` from System32 only: the DLLs are part of Windows, and a copy elsewhere on the search
// path (e.g. beside the program) must not be picked up instead.
WhpResult<HMODULE> LoadSystemLibrary(const wchar_t* dll, const char* name) {
  HMODULE module = ::LoadLibraryExW(dll, nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
  if (module != nullptr) return module;
  const DWORD error = ::GetLastError();
  std::string message = std::string("whp: ") + name + " could not be loaded (LoadLibraryExW: " +
                        DescribeHresult(HRESULT_FROM_WIN32(error)) + ")";
  if (error == ERROR_MOD_NOT_FOUND) {
    message = std::string("whp: ") + name + " is not installed: " + kEnableFeature;
  }
  return WhpStatus::Error(WhpErrorKind::kUnavailable, std::move(message),
                          HRESULT_FROM_WIN32(error));
}

// Sets `function` to the export `name` of `module`.
template <typename Function>
WhpStatus Resolve(HMODULE module, const char* dll, const char* name, Function& function) {
  const FARPROC address = ::GetProcAddress(module, name);
  if (address == nullptr) {
    return WhpStatus::Error(
        WhpErrorKind::kUnavailable,
        std::string("whp: ") + dll + " has no function " + name +
            " (this backend needs Windows 10 1809 or Windows Server 2019 or later)",
        HRESULT_FROM_WIN32(::GetLastError()));
  }
  // FARPROC is a placeholder type; a detour through the generic function pointer type
  // void (*)() is the conversion GCC's -Wcast-function-type accepts.
  function = reinterpret_cast<Function>(reinterpret_cast<void (*)()>(address));
  return WhpStatus();
}

WhpResult<const WhpApi*> Load() {
  static WhpApi api;
  const WhpResult<HMODULE> platform = LoadSystemLibrary(L"WinHvPlatform.dll", "WinHvPlatform.dll");
  if (!platform.ok()) return platform.status();
  const WhpResult<HMODULE> emulation =
      LoadSystemLibrary(L"WinHvEmulation.dll", "WinHvEmulation.dll");
  if (!emulation.ok()) return emulation.status();
  WhpStatus status;
#define VMB_WHP_RESOLVE(module, dll, name) \
  if (status.ok()) status = Resolve(module, dll, #name, api.name);
#define VMB_WHP_RESOLVE_PLATFORM(name) VMB_WHP_RESOLVE(*platform, "WinHvPlatform.dll", name)
#define VMB_WHP_RESOLVE_EMULATION(name) VMB_WHP_RESOLVE(*emulation, "WinHvEmulation.dll", name)
  VMB_WHP_PLATFORM_FUNCTIONS(VMB_WHP_RESOLVE_PLATFORM)
  VMB_WHP_EMULATION_FUNCTIONS(VMB_WHP_RESOLVE_EMULATION)
#undef VMB_WHP_RESOLVE_EMULATION
#undef VMB_WHP_RESOLVE_PLATFORM
#undef VMB_WHP_RESOLVE
  if (!status.ok()) return status;
  return &api;
}

}  // namespace

WhpResult<const WhpApi*> LoadWhpApi() {
  // A function-local static: initialised once, thread-safely, on first use.
  static const WhpResult<const WhpApi*> api = Load();
  return api;
}

}  // namespace vmbench::whp
