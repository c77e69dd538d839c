#include "mshv_vcpu.h"

#include <sys/ioctl.h>
#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <thread>

#include "absl/strings/str_cat.h"
#include "mshv_intercept.h"
#include "mshv_registers.h"
#include "vmbench/plugin/status_macros.h"
#include "vmbench/posix/kick_signal.h"

namespace vmbench::mshv {
namespace {

// Hyperlight re-sends its kick at this interval until the vCPU thread has left the run.
constexpr auto kKickInterval = std::chrono::microseconds(500);
constexpr auto kKickGiveUp = std::chrono::seconds(5);

// SIGRTMIN+1: a real-time signal glibc leaves to applications, and not the kvm backend's SIGRTMIN,
// so that both backends can live in one process.
int KickSignal() { return SIGRTMIN + 1; }

// The kick only needs to interrupt MSHV_RUN_VP; the handler itself has nothing to do.
void OnKick(int /*signal*/) {}

// Installs OnKick for the kick signal, once per process. The plugin is linked with -z nodelete
// (CMakeLists.txt), so the handler stays mapped as long as the process lives. MSHV_RUN_VP returns
// -EINTR on a signal (drivers/hv/mshv_root_main.c).
absl::Status InstallKickHandler() {
  static const absl::Status installed =
      posix::InstallKickHandler(KickSignal(), &OnKick, "SIGRTMIN+1", "mshv");
  return installed;
}

}  // namespace

absl::StatusOr<std::unique_ptr<MshvVcpu>> MshvVcpu::Create(int partition_fd,
                                                           std::uint32_t index) noexcept {
  VMB_RETURN_IF_ERROR(InstallKickHandler());
  CreateVp request{.vp_index = index};
  FileDescriptor fd(::ioctl(partition_fd, kIoctlCreateVp, &request));
  if (fd.get() < 0) return MshvError(absl::StrCat("MSHV_CREATE_VP ", index), errno);
  void* page = ::mmap(nullptr, kPageSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(),
                      kVpMmapOffsetRegisters * kPageSize);
  if (page == MAP_FAILED) {
    if (errno != ENODEV) return MshvError("mmap of the VP's register page", errno);
    page = nullptr;
  }
  return std::unique_ptr<MshvVcpu>(
      new MshvVcpu(std::move(fd), index, static_cast<RegisterPage*>(page)));
}

MshvVcpu::~MshvVcpu() {
  if (page_ != nullptr) ::munmap(page_, kPageSize);
}

absl::Status MshvVcpu::GetRegisters(std::span<const std::uint32_t> names,
                                    std::span<RegisterValue> values, absl::string_view operation) {
  struct {
    VpRegistersInputHeader header;
    std::uint32_t names[kMaxRegistersPerSet];
  } input{};
  input.header.vp_index = index_;
  std::copy(names.begin(), names.end(), input.names);
  return Hvcall(fd_.get(), operation, kHvcallGetVpRegisters,
                static_cast<std::uint16_t>(names.size()), &input,
                sizeof(input.header) + names.size_bytes(), values.data(), values.size_bytes());
}

absl::Status MshvVcpu::SetRegisters(std::span<const std::uint32_t> names,
                                    std::span<const RegisterValue> values,
                                    absl::string_view operation) {
  struct {
    VpRegistersInputHeader header;
    RegisterAssoc elements[kMaxRegistersPerSet];
  } input{};
  input.header.vp_index = index_;
  for (std::size_t i = 0; i < names.size(); ++i) {
    input.elements[i].name = names[i];
    input.elements[i].value = values[i];
  }
  return Hvcall(fd_.get(), operation, kHvcallSetVpRegisters,
                static_cast<std::uint16_t>(names.size()), &input,
                sizeof(input.header) + names.size() * sizeof(RegisterAssoc), nullptr, 0);
}

absl::StatusOr<GeneralRegisters> MshvVcpu::GetGeneralRegisters() noexcept {
  if (const RegisterPage* page = ValidPage()) return GeneralFromPage(*page);
  std::array<RegisterValue, kGeneralRegisterNames.size()> values{};
  VMB_RETURN_IF_ERROR(GetRegisters(kGeneralRegisterNames, values, "GetGeneralRegisters"));
  return GeneralFromValues(values);
}

absl::Status MshvVcpu::SetGeneralRegisters(const GeneralRegisters& regs) noexcept {
  if (RegisterPage* page = ValidPage()) {
    WriteGeneralToPage(regs, *page);
    return absl::OkStatus();
  }
  return SetRegisters(kGeneralRegisterNames, GeneralToValues(regs), "SetGeneralRegisters");
}

absl::StatusOr<SpecialRegisters> MshvVcpu::GetSpecialRegisters() noexcept {
  std::array<RegisterValue, kSpecialRegisterNames.size()> values{};
  VMB_RETURN_IF_ERROR(GetRegisters(kSpecialRegisterNames, values, "GetSpecialRegisters"));
  return SpecialFromValues(values);
}

absl::Status MshvVcpu::SetSpecialRegisters(const SpecialRegisters& sregs) noexcept {
  // Control registers are read-only in the register page: always by hypercall.
  return SetRegisters(kSpecialRegisterNames, SpecialToValues(sregs), "SetSpecialRegisters");
}

absl::Status MshvVcpu::SetRip(std::uint64_t rip) {
  if (RegisterPage* page = ValidPage()) {
    WriteRipToPage(rip, *page);
    return absl::OkStatus();
  }
  const std::array<std::uint32_t, 1> name = {kRip};
  const std::array<RegisterValue, 1> value = {RegisterValue{.low = rip, .high = 0}};
  return SetRegisters(name, value, "moving RIP past the intercepted instruction");
}

void MshvVcpu::EnterRun() {
  posix::UnblockInThisThread(KickSignal());
  std::lock_guard lock(mu_);
  running_ = true;
  thread_ = ::pthread_self();
}

void MshvVcpu::LeaveRun() {
  std::lock_guard lock(mu_);
  running_ = false;
}

absl::StatusOr<VcpuExit> MshvVcpu::Run() noexcept {
  EnterRun();
  absl::StatusOr<VcpuExit> exit;
  for (;;) {
    if (interrupt_.load(std::memory_order_acquire) &&
        interrupt_.exchange(false, std::memory_order_acq_rel)) {
      exit = CancelledExit{};
      break;
    }
    MessageBuffer message;
    if (::ioctl(fd_.get(), kIoctlRunVp, &message) == 0) {
      absl::StatusOr<DecodedMessage> decoded = DecodeMessage(message);
      if (!decoded.ok()) {
        exit = decoded.status();
        break;
      }
      if (decoded->resume_rip.has_value()) {
        if (absl::Status moved = SetRip(*decoded->resume_rip); !moved.ok()) {
          exit = moved;
          break;
        }
      }
      exit = std::move(decoded->exit);
      break;
    }
    // EINTR: a kick (the flag is checked above) or another signal; EAGAIN: the kernel asks to
    // retry (Hyperlight treats it the same way).
    const int error = errno;
    if (error != EINTR && error != EAGAIN) {
      exit = MshvError("MSHV_RUN_VP", error);
      break;
    }
  }
  LeaveRun();
  return exit;
}

void MshvVcpu::Interrupt() noexcept {
  interrupt_.store(true, std::memory_order_release);
  const auto give_up = std::chrono::steady_clock::now() + kKickGiveUp;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (!running_ || !interrupt_.load(std::memory_order_acquire)) return;
      ::pthread_kill(thread_, KickSignal());
    }
    if (std::chrono::steady_clock::now() >= give_up) return;
    std::this_thread::sleep_for(kKickInterval);
  }
}

void MshvVcpu::ClearInterrupt() noexcept { interrupt_.store(false, std::memory_order_release); }

}  // namespace vmbench::mshv
