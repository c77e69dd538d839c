// The signal that interrupts a vCPU thread blocked in a hypervisor's run ioctl (KVM_RUN,
// MSHV_RUN_VP): both return EINTR when a signal with a handler arrives, so a backend kicks its vCPU
// thread with a real-time signal of its own.

#ifndef VMBENCH_POSIX_KICK_SIGNAL_H_
#define VMBENCH_POSIX_KICK_SIGNAL_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace vmbench::posix {

// Installs `handler` for `signal` (named `signal_name` in errors) with SA_RESTART: the run ioctls
// return EINTR, which SA_RESTART does not restart, while the thread's other system calls are
// spared a late kick. FailedPrecondition, naming `backend`, when the process already handles the
// signal. Call once per process, from a library that is never unloaded (the handler must stay
// mapped).
absl::Status InstallKickHandler(int signal, void (*handler)(int), absl::string_view signal_name,
                                absl::string_view backend);

// Unblocks `signal` in the calling thread, once per thread and signal: a blocked kick would stay
// pending and never interrupt the run. Returns whether it is unblocked.
bool UnblockInThisThread(int signal);

}  // namespace vmbench::posix

#endif  // VMBENCH_POSIX_KICK_SIGNAL_H_
