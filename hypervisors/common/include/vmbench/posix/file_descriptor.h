// Owns one POSIX file descriptor and closes it: the handles of the Linux hypervisor devices and
// their objects (/dev/kvm, /dev/mshv, a VM or partition, a vCPU or VP).

#ifndef VMBENCH_POSIX_FILE_DESCRIPTOR_H_
#define VMBENCH_POSIX_FILE_DESCRIPTOR_H_

#include <unistd.h>

#include <utility>

namespace vmbench::posix {

class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    if (this != &other) {
      Close();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() { Close(); }

  // The descriptor, or -1 when none is owned.
  int get() const { return fd_; }

 private:
  void Close() {
    if (fd_ >= 0) ::close(fd_);
  }

  int fd_ = -1;
};

}  // namespace vmbench::posix

#endif  // VMBENCH_POSIX_FILE_DESCRIPTOR_H_
