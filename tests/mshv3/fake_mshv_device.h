// A stand-in for /dev/mshv, for the mshv3 backend's contract tests: a shared library that
// interposes open, ioctl, mmap and close in the test process and answers the backend's ioctls the
// way the documented mshv3 driver and hypervisor do (include/uapi/linux/mshv.h,
// drivers/hv/mshv_root_main.c and the TLFS, as summarised in shared/reference/backends.md,
// section 2). It checks every argument the documentation constrains (sizes, reserved fields,
// flags, alignment, overlaps, call order) and records each call in a transcript that the tests
// compare with the expected call sequence.
//
// It reads the backend's arguments at the byte offsets the ABI documents, with its own numbers,
// and never includes the backend's mshv_abi.h, so a wrong structure in the backend does not go
// unnoticed by agreeing with itself.
//
// What it cannot stand in for: the hypervisor executing the guest. MSHV_RUN_VP returns the
// intercept messages the test scripted, or blocks until kicked. Passing these tests says the
// backend speaks the documented protocol; only a host running Linux as the root partition says
// the protocol was documented right.

#ifndef VMBENCH_TESTS_MSHV3_FAKE_MSHV_DEVICE_H_
#define VMBENCH_TESTS_MSHV3_FAKE_MSHV_DEVICE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vmbench::fake_mshv {

// Forgets every partition, VP, scripted run and transcript line. With `enabled` false,
// open("/dev/mshv") fails with ENOENT as on a machine without the driver; with `register_page`
// false, mapping a VP's register page fails with ENODEV (as under SEV-SNP).
void Reset(bool enabled, bool register_page);

// The next MSHV_RUN_VP copies these 256 bytes (an hv_message) to the caller, after setting the
// VP's RIP (and, for an I/O-port intercept, RAX) to the message's.
void QueueMessage(const std::array<std::uint8_t, 256>& message);
// The next MSHV_RUN_VP blocks like a running guest until a signal interrupts it, then fails with
// EINTR. The first `ignored_kicks` signals are lost, as a kick that lands just before the ioctl
// starts waiting is lost on the real driver.
void QueueBlockUntilKicked(int ignored_kicks);
// How many MSHV_RUN_VP calls are blocked right now.
int BlockedRuns();

// The next MSHV_ROOT_HVCALL fails with this HV_STATUS (and EIO), as the hypervisor would.
void FailNextHvcall(std::uint16_t status);

// Marks the guest page `gfn` written by the guest, for the dirty bitmap.
void DirtyGuestPage(std::uint64_t gfn);

// The value of register `name` (HV_X64_REGISTER_*) of VP 0 as the hypervisor holds it, once set:
// {low, high} 64-bit halves.
std::optional<std::array<std::uint64_t, 2>> Register(std::uint32_t name);

// The calls recorded since Reset, one line each, and clears them.
std::vector<std::string> TakeTranscript();

}  // namespace vmbench::fake_mshv

#endif  // VMBENCH_TESTS_MSHV3_FAKE_MSHV_DEVICE_H_
