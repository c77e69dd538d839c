#include "whp_result.h"

#include <cstdint>
#include <cstdio>

namespace vmbench::whp {
namespace {

// The WHV_E_* codes of the Windows SDK's winerror.h, which mingw-w64 10 does not define. The
// system has no message text for most of them, so the name is the most useful description.
const char* WhpErrorName(HRESULT hresult) {
  switch (static_cast<std::uint32_t>(hresult)) {
    case 0x80370300:
      return "WHV_E_UNKNOWN_CAPABILITY";
    case 0x80370301:
      return "WHV_E_INSUFFICIENT_BUFFER";
    case 0x80370302:
      return "WHV_E_UNKNOWN_PROPERTY";
    case 0x80370303:
      return "WHV_E_UNSUPPORTED_HYPERVISOR_CONFIG";
    case 0x80370304:
      return "WHV_E_INVALID_PARTITION_CONFIG";
    case 0x80370305:
      return "WHV_E_GPA_RANGE_NOT_FOUND";
    case 0x80370306:
      return "WHV_E_VP_ALREADY_EXISTS";
    case 0x80370307:
      return "WHV_E_VP_DOES_NOT_EXIST";
    case 0x80370308:
      return "WHV_E_INVALID_VP_STATE";
    case 0x80370309:
      return "WHV_E_INVALID_VP_REGISTER_NAME";
    default:
      return nullptr;
  }
}

// The system's message for `hresult` (e.g. "The parameter is incorrect."), or "" when it has none.
std::string SystemMessage(HRESULT hresult) {
  char buffer[512];
  DWORD length =
      ::FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr,
                       static_cast<DWORD>(hresult), 0, buffer, sizeof(buffer), nullptr);
  while (length > 0 &&
         (buffer[length - 1] == '\n' || buffer[length - 1] == '\r' || buffer[length - 1] == ' ')) {
    --length;
  }
  return std::string(buffer, length);
}

}  // namespace

std::string Hex(std::uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof(text), "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

std::string DescribeHresult(HRESULT hresult) {
  char code[32];
  std::snprintf(code, sizeof(code), "HRESULT 0x%08lX",
                static_cast<unsigned long>(static_cast<std::uint32_t>(hresult)));
  std::string description = code;
  if (const char* name = WhpErrorName(hresult)) {
    description.append(" (").append(name).append(")");
  } else if (std::string message = SystemMessage(hresult); !message.empty()) {
    description.append(" (").append(message).append(")");
  }
  return description;
}

WhpStatus WhpStatus::Failed(std::string_view operation, HRESULT hresult, WhpErrorKind kind) {
  std::string message = "whp: ";
  message.append(operation).append(" failed: ").append(DescribeHresult(hresult));
  return Error(kind, std::move(message), hresult);
}

}  // namespace vmbench::whp
