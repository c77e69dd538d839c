#include "output.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace vmbench {
namespace {

absl::Status Errno(const std::filesystem::path& path, absl::string_view operation) {
  return absl::UnavailableError(
      absl::StrCat(path.string(), ": ", operation, " failed: ", std::strerror(errno)));
}

}  // namespace

absl::Status WriteFileAtomically(const std::filesystem::path& path, absl::string_view content) {
  std::error_code ec;
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat(path.parent_path().string(), ": cannot create folder: ", ec.message()));
    }
  }
  std::string temp = path.string() + ".XXXXXX";
  const int fd = mkstemp(temp.data());
  if (fd < 0) return Errno(temp, "mkstemp");
  const char* data = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t written = write(fd, data, left);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) {
      absl::Status status = Errno(temp, "write");
      close(fd);
      unlink(temp.c_str());
      return status;
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
  // mkstemp creates the file 0600; a result file is an ordinary, shareable file.
  if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
    absl::Status status = Errno(temp, "fsync");
    close(fd);
    unlink(temp.c_str());
    return status;
  }
  close(fd);
  if (rename(temp.c_str(), path.c_str()) != 0) {
    absl::Status status = Errno(path, "rename");
    unlink(temp.c_str());
    return status;
  }
  return absl::OkStatus();
}

}  // namespace vmbench
