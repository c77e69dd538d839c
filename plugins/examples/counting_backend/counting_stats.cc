#include "counting_stats.h"

#include <cstdio>
#include <cstdlib>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "vmbench/plugin/format.h"

namespace vmbench::counting {
namespace {

// The names of VcpuExit's alternatives, in declaration order (hypervisor.h).
constexpr const char* kExitNames[] = {"io_out", "halt", "cancelled", "mmio", "fault"};
static_assert(std::size(kExitNames) == std::variant_size_v<VcpuExit>,
              "one name per VcpuExit alternative");

}  // namespace

std::string CountingStats::Summary(absl::string_view inner_name) const {
  const std::uint64_t n = runs.load();
  const double mean_ns = n == 0 ? 0 : static_cast<double>(run_ns.load()) / static_cast<double>(n);
  std::string line =
      absl::StrCat("counting(", inner_name, "): ", vms.load(), " VMs, ", vcpus.load(), " vCPUs, ",
                   n, " runs (mean ", FormatDuration(mean_ns), "), exits:");
  for (std::size_t i = 0; i < exits.size(); ++i) {
    absl::StrAppend(&line, i == 0 ? " " : ", ", kExitNames[i], " ", exits[i].load());
  }
  absl::StrAppend(&line, "; ", run_errors.load(), " run errors, ", interrupts.load(),
                  " interrupts");
  return line;
}

void WriteLogLine(const std::string& line) noexcept {
  const std::string text = line + "\n";
  const char* path = std::getenv("VMBENCH_COUNTING_LOG");
  if (path == nullptr) {
    std::fwrite(text.data(), 1, text.size(), stderr);  // stderr is unbuffered: one write
    return;
  }
  std::FILE* file = std::fopen(path, "a");
  if (file == nullptr) return;
  // Unbuffered, so the line reaches the file (opened with O_APPEND by mode "a") in one write.
  std::setvbuf(file, nullptr, _IONBF, 0);
  std::fwrite(text.data(), 1, text.size(), file);
  std::fclose(file);
}

}  // namespace vmbench::counting
