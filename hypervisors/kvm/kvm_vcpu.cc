#include "kvm_vcpu.h"

#include <sys/ioctl.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "vmbench/plugin/status_macros.h"
#include "vmbench/posix/kick_signal.h"

namespace vmbench::kvm {
namespace {

// The kvm_run of the vCPU this thread is running, for the kick signal's handler; null outside
// Run. Written by Run before its thread can be signalled, so the handler never makes the first
// access to it in a thread (the one that may allocate the TLS block of a dlopen'ed library).
thread_local std::atomic<kvm_run*> t_kick_target{nullptr};

// SIGRTMIN, as Cloud Hypervisor kicks its vCPU threads (vmm/src/cpu.rs): a real-time signal that
// glibc leaves to applications and that nothing else in vmbench uses.
int KickSignal() { return SIGRTMIN; }

void OnKick(int /*signal*/) {
  // A byte store to the shared kvm_run area: async-signal-safe. KVM polls it when KVM_RUN starts;
  // if the signal interrupted KVM_RUN itself, KVM_RUN has already returned EINTR.
  if (kvm_run* run = t_kick_target.load(std::memory_order_relaxed)) run->immediate_exit = 1;
}

// Installs OnKick for the kick signal, once per process. The plugin is linked with -z nodelete
// (CMakeLists.txt), so the handler stays mapped as long as the process lives. KVM_RUN is never
// restarted (it returns -EINTR, not -ERESTARTSYS).
absl::Status InstallKickHandler() {
  static const absl::Status installed =
      posix::InstallKickHandler(KickSignal(), &OnKick, "SIGRTMIN", "kvm");
  return installed;
}

kvm_segment SegmentToKvm(const Segment& segment) {
  kvm_segment kvm{};
  kvm.base = segment.base;
  kvm.limit = segment.limit;
  kvm.selector = segment.selector;
  kvm.type = segment.type;
  kvm.present = segment.present;
  kvm.dpl = segment.dpl;
  kvm.db = segment.db;
  kvm.s = segment.s;
  kvm.l = segment.l;
  kvm.g = segment.g;
  // VMX's "unusable" bit has no place in the interface: a segment that is not present is unusable.
  kvm.unusable = !segment.present;
  return kvm;
}

Segment SegmentFromKvm(const kvm_segment& kvm) {
  Segment segment;
  segment.base = kvm.base;
  segment.limit = kvm.limit;
  segment.selector = kvm.selector;
  segment.type = kvm.type;
  segment.present = kvm.present != 0 && kvm.unusable == 0;
  segment.dpl = kvm.dpl;
  segment.db = kvm.db != 0;
  segment.s = kvm.s != 0;
  segment.l = kvm.l != 0;
  segment.g = kvm.g != 0;
  return segment;
}

std::string AtRip(std::uint64_t rip) { return absl::StrCat(" at rip 0x", absl::Hex(rip)); }

const char* InternalErrorName(std::uint32_t suberror) {
  switch (suberror) {
    case KVM_INTERNAL_ERROR_EMULATION:
      return "instruction emulation failed";
    case KVM_INTERNAL_ERROR_SIMUL_EX:
      return "exception during exception delivery (KVM_INTERNAL_ERROR_SIMUL_EX)";
    case KVM_INTERNAL_ERROR_DELIVERY_EV:
      return "exit during event delivery (KVM_INTERNAL_ERROR_DELIVERY_EV)";
    case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
      return "unexpected hardware exit reason (KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON)";
    default:
      return "unknown suberror";
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<KvmVcpu>> KvmVcpu::Create(const KvmDevice& device,
                                                         int vm_fd) noexcept {
  VMB_RETURN_IF_ERROR(InstallKickHandler());
  FileDescriptor fd(::ioctl(vm_fd, KVM_CREATE_VCPU, 0));
  if (fd.get() < 0) return KvmError("KVM_CREATE_VCPU", errno);

  void* run =
      ::mmap(nullptr, device.vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (run == MAP_FAILED) return KvmError("mmap of the vCPU's kvm_run", errno);
  std::unique_ptr<KvmVcpu> vcpu(
      new KvmVcpu(std::move(fd), static_cast<kvm_run*>(run), device.vcpu_mmap_size));

  // api.rst (KVM_SET_CPUID2) wants the CPUID set before the first KVM_RUN; without it the guest's
  // CPUID reports nothing (and MAXPHYADDR defaults to 36 bits).
  auto cpuid = std::make_unique<CpuidTable>();
  cpuid->header.nent = static_cast<std::uint32_t>(device.cpuid.size());
  std::copy(device.cpuid.begin(), device.cpuid.end(), cpuid->entries);
  if (::ioctl(vcpu->fd_.get(), kSetCpuid2, cpuid.get()) != 0) {
    return KvmError("KVM_SET_CPUID2", errno);
  }
  return vcpu;
}

KvmVcpu::~KvmVcpu() { ::munmap(run_, run_size_); }

absl::Status KvmVcpu::Complete(bool include_access, absl::string_view caller) {
  if (pending_ == Pending::kNone || (pending_ == Pending::kAccess && !include_access)) {
    return absl::OkStatus();
  }
  // KVM finishes the instruction, then sees immediate_exit and returns EINTR before entering the
  // guest (arch/x86/kvm/x86.c, kvm_arch_vcpu_ioctl_run: complete_userspace_io, then the check).
  pending_ = Pending::kNone;
  run_->immediate_exit = 1;
  const int result = ::ioctl(fd_.get(), KVM_RUN, 0);
  const int error = errno;
  run_->immediate_exit = 0;
  if (result == 0) {
    // Only a string instruction can need another exit to complete, and Run refuses those.
    return absl::InternalError(
        absl::StrCat("kvm: ", caller, ": completing the last exit caused another one (exit reason ",
                     run_->exit_reason, ")"));
  }
  if (error != EINTR) {
    return KvmError(absl::StrCat(caller, ": completing the last exit: KVM_RUN"), error);
  }
  return absl::OkStatus();
}

absl::StatusOr<GeneralRegisters> KvmVcpu::GetGeneralRegisters() noexcept {
  VMB_RETURN_IF_ERROR(Complete(/*include_access=*/false, "GetGeneralRegisters"));
  kvm_regs kvm{};
  if (::ioctl(fd_.get(), KVM_GET_REGS, &kvm) != 0) {
    return KvmError("GetGeneralRegisters: KVM_GET_REGS", errno);
  }
  GeneralRegisters regs;
  regs.rax = kvm.rax;
  regs.rbx = kvm.rbx;
  regs.rcx = kvm.rcx;
  regs.rdx = kvm.rdx;
  regs.rsi = kvm.rsi;
  regs.rdi = kvm.rdi;
  regs.rsp = kvm.rsp;
  regs.rbp = kvm.rbp;
  regs.r8 = kvm.r8;
  regs.r9 = kvm.r9;
  regs.r10 = kvm.r10;
  regs.r11 = kvm.r11;
  regs.r12 = kvm.r12;
  regs.r13 = kvm.r13;
  regs.r14 = kvm.r14;
  regs.r15 = kvm.r15;
  regs.rip = kvm.rip;
  regs.rflags = kvm.rflags;
  return regs;
}

absl::Status KvmVcpu::SetGeneralRegisters(const GeneralRegisters& regs) noexcept {
  VMB_RETURN_IF_ERROR(Complete(/*include_access=*/true, "SetGeneralRegisters"));
  kvm_regs kvm{};
  kvm.rax = regs.rax;
  kvm.rbx = regs.rbx;
  kvm.rcx = regs.rcx;
  kvm.rdx = regs.rdx;
  kvm.rsi = regs.rsi;
  kvm.rdi = regs.rdi;
  kvm.rsp = regs.rsp;
  kvm.rbp = regs.rbp;
  kvm.r8 = regs.r8;
  kvm.r9 = regs.r9;
  kvm.r10 = regs.r10;
  kvm.r11 = regs.r11;
  kvm.r12 = regs.r12;
  kvm.r13 = regs.r13;
  kvm.r14 = regs.r14;
  kvm.r15 = regs.r15;
  kvm.rip = regs.rip;
  kvm.rflags = regs.rflags;
  if (::ioctl(fd_.get(), KVM_SET_REGS, &kvm) != 0) {
    return KvmError("SetGeneralRegisters: KVM_SET_REGS", errno);
  }
  return absl::OkStatus();
}

absl::StatusOr<SpecialRegisters> KvmVcpu::GetSpecialRegisters() noexcept {
  VMB_RETURN_IF_ERROR(Complete(/*include_access=*/false, "GetSpecialRegisters"));
  kvm_sregs kvm{};
  if (::ioctl(fd_.get(), KVM_GET_SREGS, &kvm) != 0) {
    return KvmError("GetSpecialRegisters: KVM_GET_SREGS", errno);
  }
  SpecialRegisters sregs;
  sregs.cs = SegmentFromKvm(kvm.cs);
  sregs.ds = SegmentFromKvm(kvm.ds);
  sregs.es = SegmentFromKvm(kvm.es);
  sregs.fs = SegmentFromKvm(kvm.fs);
  sregs.gs = SegmentFromKvm(kvm.gs);
  sregs.ss = SegmentFromKvm(kvm.ss);
  sregs.tr = SegmentFromKvm(kvm.tr);
  sregs.ldt = SegmentFromKvm(kvm.ldt);
  sregs.gdt = DescriptorTable{kvm.gdt.base, kvm.gdt.limit};
  sregs.idt = DescriptorTable{kvm.idt.base, kvm.idt.limit};
  sregs.cr0 = kvm.cr0;
  sregs.cr2 = kvm.cr2;
  sregs.cr3 = kvm.cr3;
  sregs.cr4 = kvm.cr4;
  sregs.cr8 = kvm.cr8;
  sregs.efer = kvm.efer;
  sregs.apic_base = kvm.apic_base;
  return sregs;
}

absl::Status KvmVcpu::SetSpecialRegisters(const SpecialRegisters& sregs) noexcept {
  VMB_RETURN_IF_ERROR(Complete(/*include_access=*/true, "SetSpecialRegisters"));
  // interrupt_bitmap stays zero: it holds an external interrupt acknowledged but not yet injected
  // (api.rst, KVM_GET_SREGS), and this backend never injects any.
  kvm_sregs kvm{};
  kvm.cs = SegmentToKvm(sregs.cs);
  kvm.ds = SegmentToKvm(sregs.ds);
  kvm.es = SegmentToKvm(sregs.es);
  kvm.fs = SegmentToKvm(sregs.fs);
  kvm.gs = SegmentToKvm(sregs.gs);
  kvm.ss = SegmentToKvm(sregs.ss);
  kvm.tr = SegmentToKvm(sregs.tr);
  kvm.ldt = SegmentToKvm(sregs.ldt);
  kvm.gdt.base = sregs.gdt.base;
  kvm.gdt.limit = sregs.gdt.limit;
  kvm.idt.base = sregs.idt.base;
  kvm.idt.limit = sregs.idt.limit;
  kvm.cr0 = sregs.cr0;
  kvm.cr2 = sregs.cr2;
  kvm.cr3 = sregs.cr3;
  kvm.cr4 = sregs.cr4;
  kvm.cr8 = sregs.cr8;
  kvm.efer = sregs.efer;
  kvm.apic_base = sregs.apic_base;
  if (::ioctl(fd_.get(), KVM_SET_SREGS, &kvm) != 0) {
    return KvmError("SetSpecialRegisters: KVM_SET_SREGS", errno);
  }
  // Without an in-kernel local APIC, every KVM_RUN loads CR8 from kvm_run->cr8 (api.rst: "cr8:
  // value of the cr8 register", in; x86.c, kvm_arch_vcpu_ioctl_run), which would undo the value
  // just set.
  run_->cr8 = sregs.cr8;
  return absl::OkStatus();
}

void KvmVcpu::EnterRun() {
  // Before the thread is published: from then on a kick may arrive.
  t_kick_target.store(run_, std::memory_order_relaxed);
  // A blocked kick would stay pending and KVM_RUN would never see it (signal_pending() ignores
  // blocked signals), so the thread must accept it.
  posix::UnblockInThisThread(KickSignal());
  // A stale kick may have left immediate_exit set; every clear is followed by a check of the flag
  // before the next KVM_RUN (Run's loop), so no kick meant for this Run is lost by it.
  run_->immediate_exit = 0;
  std::lock_guard lock(mu_);
  running_ = true;
  thread_ = ::pthread_self();
}

void KvmVcpu::LeaveRun() {
  {
    std::lock_guard lock(mu_);
    running_ = false;
  }
  // A kick sent before the line above may still arrive: with no target it does nothing.
  t_kick_target.store(nullptr, std::memory_order_relaxed);
}

absl::StatusOr<VcpuExit> KvmVcpu::Run() noexcept {
  EnterRun();
  absl::StatusOr<VcpuExit> exit;
  for (;;) {
    if (interrupt_.load(std::memory_order_acquire) &&
        interrupt_.exchange(false, std::memory_order_acq_rel)) {
      exit = CancelledExit{};
      break;
    }
    // KVM finishes a pending I/O or MMIO instruction at the start of this KVM_RUN, whatever
    // it returns.
    pending_ = Pending::kNone;
    if (::ioctl(fd_.get(), KVM_RUN, 0) == 0) {
      exit = DecodeExit();
      break;
    }
    // After EINTR exit_reason is KVM_EXIT_INTR when the guest was running, or stale when
    // immediate_exit stopped KVM_RUN before entry: only errno tells.
    const int error = errno;
    if (error != EINTR) {
      exit = KvmError("KVM_RUN", error);
      break;
    }
    run_->immediate_exit = 0;
  }
  LeaveRun();
  return exit;
}

absl::StatusOr<VcpuExit> KvmVcpu::DecodeExit() {
  switch (run_->exit_reason) {
    case KVM_EXIT_IO: {
      const auto& io = run_->io;
      const std::size_t bytes = std::size_t{io.size} * io.count;
      if (io.data_offset > run_size_ || bytes > run_size_ - io.data_offset || io.size > 4) {
        return absl::InternalError(absl::StrCat("kvm: KVM_EXIT_IO with ", io.count, " items of ",
                                                int{io.size}, " bytes at offset ", io.data_offset,
                                                " of the ", run_size_, "-byte kvm_run area"));
      }
      std::uint8_t* data = reinterpret_cast<std::uint8_t*>(run_) + io.data_offset;
      if (io.direction == KVM_EXIT_IO_OUT && io.count == 1) {
        pending_ = Pending::kOut;
        std::uint32_t value = 0;
        std::memcpy(&value, data, io.size);  // little-endian: the low `size` bytes
        return IoOutExit{.port = io.port, .size = io.size, .value = value};
      }
      pending_ = Pending::kAccess;
      if (io.direction == KVM_EXIT_IO_IN) {
        std::memset(data, 0, bytes);
        return Fault(FaultExit::Kind::kInternalError,
                     absl::StrCat("kvm: the guest executed IN from port 0x", absl::Hex(io.port),
                                  " (", int{io.size}, " bytes), and port input is not supported"));
      }
      return Fault(
          FaultExit::Kind::kInternalError,
          absl::StrCat("kvm: the guest executed a string OUT of ", io.count, " items to port 0x",
                       absl::Hex(io.port), ", and only single OUTs are supported"));
    }
    case KVM_EXIT_HLT:
      return HaltExit{};
    case KVM_EXIT_MMIO: {
      auto& mmio = run_->mmio;
      pending_ = Pending::kAccess;
      MmioExit exit{.gpa = mmio.phys_addr,
                    .size = static_cast<std::uint8_t>(mmio.len),
                    .is_write = mmio.is_write != 0};
      if (exit.is_write) {
        std::memcpy(&exit.value, mmio.data, std::min<std::size_t>(mmio.len, sizeof(exit.value)));
      } else {
        std::memset(mmio.data, 0, sizeof(mmio.data));
      }
      return exit;
    }
    case KVM_EXIT_SHUTDOWN: {
      VcpuExit exit = Fault(FaultExit::Kind::kShutdown,
                            "kvm: the guest shut down (a triple fault, e.g. an exception without "
                            "an IDT to handle it)");
      auto& fault = std::get<FaultExit>(exit);
      // KVM on AMD INITs the vCPU at a shutdown (see kvm_vcpu.h): RIP is then the reset vector.
      if (fault.rip == 0xFFF0) {
        absl::StrAppend(&fault.detail,
                        " (the vCPU's reset state: KVM re-initialized it, so the faulting rip "
                        "is unknown)");
      }
      return exit;
    }
    case KVM_EXIT_FAIL_ENTRY:
      return Fault(FaultExit::Kind::kInternalError,
                   absl::StrCat("kvm: VM entry failed: hardware_entry_failure_reason 0x",
                                absl::Hex(run_->fail_entry.hardware_entry_failure_reason),
                                " on cpu ", run_->fail_entry.cpu));
    case KVM_EXIT_INTERNAL_ERROR: {
      const auto& internal = run_->internal;
      std::string what = absl::StrCat("kvm: internal error ", internal.suberror, ", ",
                                      InternalErrorName(internal.suberror));
      const std::uint32_t words =
          std::min<std::uint32_t>(internal.ndata, sizeof(internal.data) / sizeof(internal.data[0]));
      for (std::uint32_t i = 0; i < words; ++i) {
        absl::StrAppend(&what, i == 0 ? " (data 0x" : " 0x", absl::Hex(internal.data[i]),
                        i + 1 == words ? ")" : "");
      }
      return Fault(FaultExit::Kind::kInternalError, std::move(what));
    }
    default:
      return Fault(FaultExit::Kind::kInternalError,
                   absl::StrCat("kvm: unexpected exit reason ", run_->exit_reason));
  }
}

VcpuExit KvmVcpu::Fault(FaultExit::Kind kind, std::string what) {
  // Read before any completion (IN and MMIO leave RIP at the instruction); pending_ is not kOut
  // here, so GetGeneralRegisters issues no KVM_RUN.
  FaultExit fault{.kind = kind, .detail = std::move(what)};
  if (const absl::StatusOr<GeneralRegisters> regs = GetGeneralRegisters(); regs.ok()) {
    fault.rip = regs->rip;
    absl::StrAppend(&fault.detail, AtRip(fault.rip));
  } else {
    absl::StrAppend(&fault.detail, " (rip unknown: ", regs.status().message(), ")");
  }
  return fault;
}

void KvmVcpu::Interrupt() noexcept {
  interrupt_.store(true, std::memory_order_release);
  std::lock_guard lock(mu_);
  // Under the mutex the thread is still inside Run (LeaveRun takes it), so it is alive.
  if (running_) ::pthread_kill(thread_, KickSignal());
}

void KvmVcpu::ClearInterrupt() noexcept { interrupt_.store(false, std::memory_order_release); }

}  // namespace vmbench::kvm
