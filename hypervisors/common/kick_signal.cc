#include "vmbench/posix/kick_signal.h"

#include <pthread.h>

#include <cerrno>
#include <csignal>
#include <set>

#include "absl/strings/str_cat.h"

namespace vmbench::posix {

absl::Status InstallKickHandler(int signal, void (*handler)(int), absl::string_view signal_name,
                                absl::string_view backend) {
  struct sigaction previous {};
  if (::sigaction(signal, nullptr, &previous) != 0) {
    return absl::ErrnoToStatus(
        errno, absl::StrCat(backend, ": sigaction(", signal_name, ") query failed"));
  }
  if ((previous.sa_flags & SA_SIGINFO) != 0 ||
      (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN)) {
    return absl::FailedPreconditionError(
        absl::StrCat(backend, ": signal ", signal_name,
                     " already has a handler in this process; the backend needs it to interrupt "
                     "running vCPUs"));
  }
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  if (::sigaction(signal, &action, nullptr) != 0) {
    return absl::ErrnoToStatus(errno,
                               absl::StrCat(backend, ": sigaction(", signal_name, ") failed"));
  }
  return absl::OkStatus();
}

bool UnblockInThisThread(int signal) {
  thread_local std::set<int> unblocked;
  if (unblocked.count(signal) != 0) return true;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signal);
  if (::pthread_sigmask(SIG_UNBLOCK, &set, nullptr) != 0) return false;
  unblocked.insert(signal);
  return true;
}

}  // namespace vmbench::posix
