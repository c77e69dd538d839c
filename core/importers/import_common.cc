// Helpers shared by the importers. Their inputs come from other tools and other machines, so every
// field is checked before use and every error carries the file and the JSON path: the person
// importing has to find the bad field in a file vmbench did not write.

#include "import_common.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "build_info.h"
#include "host_info.h"

namespace vmbench::import_internal {
namespace {

// Reads `count` decimal digits at `*pos`, advancing it; false when any is not a digit.
bool ReadDigits(absl::string_view text, std::size_t* pos, std::size_t count, int* value) {
  if (text.size() < *pos + count) return false;
  int result = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[*pos + i];
    if (c < '0' || c > '9') return false;
    result = result * 10 + (c - '0');
  }
  *pos += count;
  *value = result;
  return true;
}

bool Expect(absl::string_view text, std::size_t* pos, absl::string_view accepted) {
  if (*pos >= text.size() || accepted.find(text[*pos]) == absl::string_view::npos) return false;
  ++*pos;
  return true;
}

}  // namespace

absl::StatusOr<std::string> ReadTextFile(const std::string& path, absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(path, ": cannot open ", what, ": ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::DataLossError(absl::StrCat(path, ": cannot read ", what));
  }
  return text.str();
}

std::string FormatTimestamp(std::chrono::sys_seconds time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::optional<std::chrono::sys_seconds> ParseTimestamp(absl::string_view text) {
  std::size_t pos = 0;
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!ReadDigits(text, &pos, 4, &year) || !Expect(text, &pos, "-") ||
      !ReadDigits(text, &pos, 2, &month) || !Expect(text, &pos, "-") ||
      !ReadDigits(text, &pos, 2, &day) || !Expect(text, &pos, "Tt") ||
      !ReadDigits(text, &pos, 2, &hour) || !Expect(text, &pos, ":") ||
      !ReadDigits(text, &pos, 2, &minute) || !Expect(text, &pos, ":") ||
      !ReadDigits(text, &pos, 2, &second)) {
    return std::nullopt;
  }
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t digits = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    if (pos == digits) return std::nullopt;
  }
  int offset_minutes = 0;
  if (Expect(text, &pos, "Zz")) {
    offset_minutes = 0;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int offset_hours = 0;
    int offset_mins = 0;
    if (!ReadDigits(text, &pos, 2, &offset_hours) || !Expect(text, &pos, ":") ||
        !ReadDigits(text, &pos, 2, &offset_mins) || offset_hours > 23 || offset_mins > 59) {
      return std::nullopt;
    }
    offset_minutes = sign * (offset_hours * 60 + offset_mins);
  } else {
    // Without an offset a local time names no instant; guessing the zone would shift the run.
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  // RFC 3339 allows second 60 for a leap second; it is taken as the last second of the minute.
  if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(year),
                                         std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok()) return std::nullopt;
  const std::chrono::sys_seconds local = std::chrono::sys_days(date) + std::chrono::hours(hour) +
                                         std::chrono::minutes(minute) +
                                         std::chrono::seconds(second == 60 ? 59 : second);
  return local - std::chrono::minutes(offset_minutes);
}

RunContext ImportedContext(absl::string_view marker, const HostInfo& host, std::string timestamp,
                           int repetitions) {
  RunContext context;
  context.vmbench_version = kVmbenchVersion;
  context.timestamp = std::move(timestamp);
  context.build_type = std::string(marker);
  context.host = host;
  context.hypervisor = "none";
  context.machine_fingerprint = MachineFingerprint(host);
  context.repetitions = repetitions;
  return context;
}

}  // namespace vmbench::import_internal
