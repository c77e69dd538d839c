#include "whp_partition.h"

#include <utility>

#include "vmbench/x86/hyperv_x64.h"
#include "whp_registers.h"

namespace vmbench::whp {
namespace {

constexpr std::uint64_t kPageSize = 0x1000;

class SharedLock {
 public:
  explicit SharedLock(SRWLOCK& lock) : lock_(lock) { ::AcquireSRWLockShared(&lock_); }
  SharedLock(const SharedLock&) = delete;
  SharedLock& operator=(const SharedLock&) = delete;
  ~SharedLock() { ::ReleaseSRWLockShared(&lock_); }

 private:
  SRWLOCK& lock_;
};

class ExclusiveLock {
 public:
  explicit ExclusiveLock(SRWLOCK& lock) : lock_(lock) { ::AcquireSRWLockExclusive(&lock_); }
  ExclusiveLock(const ExclusiveLock&) = delete;
  ExclusiveLock& operator=(const ExclusiveLock&) = delete;
  ~ExclusiveLock() { ::ReleaseSRWLockExclusive(&lock_); }

 private:
  SRWLOCK& lock_;
};

WhpStatus InvalidArgument(std::string message) {
  return WhpStatus::Error(WhpErrorKind::kInvalidArgument, std::move(message));
}

WhpStatus FailedPrecondition(std::string message) {
  return WhpStatus::Error(WhpErrorKind::kFailedPrecondition, std::move(message));
}

std::string SlotName(const char* operation, std::uint32_t slot) {
  return std::string(operation) + " slot " + std::to_string(slot);
}

std::string DescribeRange(std::uint64_t begin, std::uint64_t end) {
  return "[" + Hex(begin) + "," + Hex(end) + ")";
}

VcpuExit Fault(FaultExit::Kind kind, std::string what, std::uint64_t rip) {
  return FaultExit{.kind = kind, .rip = rip, .detail = std::move(what) + " at rip " + Hex(rip)};
}

const char* ExitReasonName(WHV_RUN_VP_EXIT_REASON reason) {
  switch (reason) {
    case WHvRunVpExitReasonNone:
      return "WHvRunVpExitReasonNone";
    case WHvRunVpExitReasonMemoryAccess:
      return "WHvRunVpExitReasonMemoryAccess";
    case WHvRunVpExitReasonX64IoPortAccess:
      return "WHvRunVpExitReasonX64IoPortAccess";
    case WHvRunVpExitReasonUnrecoverableException:
      return "WHvRunVpExitReasonUnrecoverableException";
    case WHvRunVpExitReasonInvalidVpRegisterValue:
      return "WHvRunVpExitReasonInvalidVpRegisterValue";
    case WHvRunVpExitReasonUnsupportedFeature:
      return "WHvRunVpExitReasonUnsupportedFeature";
    case WHvRunVpExitReasonX64InterruptWindow:
      return "WHvRunVpExitReasonX64InterruptWindow";
    case WHvRunVpExitReasonX64Halt:
      return "WHvRunVpExitReasonX64Halt";
    case WHvRunVpExitReasonX64ApicEoi:
      return "WHvRunVpExitReasonX64ApicEoi";
    case WHvRunVpExitReasonX64MsrAccess:
      return "WHvRunVpExitReasonX64MsrAccess";
    case WHvRunVpExitReasonX64Cpuid:
      return "WHvRunVpExitReasonX64Cpuid";
    case WHvRunVpExitReasonException:
      return "WHvRunVpExitReasonException";
    case WHvRunVpExitReasonCanceled:
      return "WHvRunVpExitReasonCanceled";
    default:
      return "an exit reason this backend does not know";
  }
}

}  // namespace

WhpAvailability ProbeWhp() {
  WhpAvailability availability;
  const WhpResult<const WhpApi*> api = LoadWhpApi();
  if (!api.ok()) {
    availability.reason = api.status().message();
    return availability;
  }
  WHV_CAPABILITY capability{};
  UINT32 written = 0;
  if (const HRESULT hresult = (*api)->WHvGetCapability(WHvCapabilityCodeHypervisorPresent,
                                                       &capability, sizeof(capability), &written);
      FAILED(hresult)) {
    availability.reason =
        WhpStatus::Failed("WHvGetCapability(WHvCapabilityCodeHypervisorPresent)", hresult)
            .message();
    return availability;
  }
  if (!capability.HypervisorPresent) {
    availability.reason =
        "whp: no hypervisor is running (WHvCapabilityCodeHypervisorPresent is false): turn on "
        "virtualization (VT-x or AMD-V) in the firmware, enable the Windows feature \"Windows "
        "Hypervisor Platform\" and reboot";
    return availability;
  }
  availability.available = true;
  // Only dirty tracking depends on the features; without them the backend still runs.
  capability = {};
  availability.dirty_tracking =
      SUCCEEDED((*api)->WHvGetCapability(WHvCapabilityCodeFeatures, &capability, sizeof(capability),
                                         &written)) &&
      capability.Features.DirtyPageTracking != 0;
  return availability;
}

std::string WindowsVersion() {
  using RtlGetVersionFunction = LONG(WINAPI*)(RTL_OSVERSIONINFOW*);
  const HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  const FARPROC address = ntdll != nullptr ? ::GetProcAddress(ntdll, "RtlGetVersion") : nullptr;
  if (address == nullptr) return "unknown";
  // Through void (*)(), as in whp_api.cc.
  const auto rtl_get_version =
      reinterpret_cast<RtlGetVersionFunction>(reinterpret_cast<void (*)()>(address));
  RTL_OSVERSIONINFOW info{};
  info.dwOSVersionInfoSize = sizeof(info);
  if (rtl_get_version(&info) != 0) return "unknown";
  return std::to_string(info.dwMajorVersion) + "." + std::to_string(info.dwMinorVersion) + "." +
         std::to_string(info.dwBuildNumber);
}

WhpResult<std::unique_ptr<WhpPartition>> WhpPartition::Create() {
  const WhpAvailability availability = ProbeWhp();
  if (!availability.available) {
    return WhpStatus::Error(WhpErrorKind::kUnavailable, availability.reason);
  }
  const WhpApi& api = **LoadWhpApi();
  WHV_PARTITION_HANDLE handle = nullptr;
  if (const HRESULT hresult = api.WHvCreatePartition(&handle); FAILED(hresult)) {
    return WhpStatus::Failed("CreateVm: WHvCreatePartition", hresult);
  }
  // Owned from here: the destructor deletes the partition on the error paths below.
  std::unique_ptr<WhpPartition> partition(new WhpPartition(api, handle));
  partition->dirty_tracking_supported_ = availability.dirty_tracking;

  // The processor count must be set before WHvSetupPartition, which fixes the configuration.
  WHV_PARTITION_PROPERTY property{};
  property.ProcessorCount = 1;
  if (const HRESULT hresult = api.WHvSetPartitionProperty(
          handle, WHvPartitionPropertyCodeProcessorCount, &property, sizeof(property));
      FAILED(hresult)) {
    return WhpStatus::Failed("CreateVm: WHvSetPartitionProperty(ProcessorCount)", hresult);
  }
  if (const HRESULT hresult = api.WHvSetupPartition(handle); FAILED(hresult)) {
    return WhpStatus::Failed("CreateVm: WHvSetupPartition", hresult);
  }
  return partition;
}

WhpPartition::~WhpPartition() { Delete(); }

void WhpPartition::Delete() noexcept {
  deleting_.store(true);
  {
    // A Run in progress holds the lock shared for as long as the guest runs: cancel it first, or
    // the exclusive lock below would wait for the guest. The cancel is sticky, so a Run that is
    // just entering returns at once as well, and its loop then sees deleting_.
    SharedLock lock(lock_);
    if (handle_ != nullptr && processor_created_) api_.WHvCancelRunVirtualProcessor(handle_, 0, 0);
  }
  ExclusiveLock lock(lock_);
  if (handle_ == nullptr) return;
  mmio_.reset();  // the emulator calls into the partition: it goes first
  // WHvDeletePartition releases the processor and every mapping too; deleting the processor
  // first keeps the teardown in the order of creation, as Hyperlight and QEMU do.
  if (processor_created_) api_.WHvDeleteVirtualProcessor(handle_, 0);
  api_.WHvDeletePartition(handle_);
  handle_ = nullptr;
  slots_.clear();
}

WhpStatus WhpPartition::CheckUsable(const char* operation, bool need_processor) const {
  if (handle_ == nullptr) {
    return FailedPrecondition(std::string("whp: ") + operation + ": the VM has been deleted");
  }
  if (need_processor && !processor_created_) {
    return FailedPrecondition(std::string("whp: ") + operation +
                              ": the vCPU has not been created (CreateVcpu)");
  }
  return WhpStatus();
}

WhpResult<WhpPartition::Slot*> WhpPartition::FindSlot(const char* operation, std::uint32_t slot) {
  const auto it = slots_.find(slot);
  if (it == slots_.end()) {
    return InvalidArgument("whp: " + SlotName(operation, slot) + ": the slot is not mapped");
  }
  return &it->second;
}

std::uint8_t* WhpPartition::HostMemory(std::uint64_t gpa, std::size_t size, bool write) const {
  for (const auto& [id, slot] : slots_) {
    if (gpa >= slot.gpa && gpa - slot.gpa < slot.size && size <= slot.size - (gpa - slot.gpa)) {
      if (write && (slot.flags & WHvMapGpaRangeFlagWrite) == 0) return nullptr;
      return static_cast<std::uint8_t*>(slot.host) + (gpa - slot.gpa);
    }
  }
  return nullptr;
}

WhpStatus WhpPartition::MapMemory(std::uint32_t slot, std::uint64_t gpa, void* host,
                                  std::size_t size, MemoryAccess access) {
  ExclusiveLock lock(lock_);
  if (WhpStatus usable = CheckUsable("MapMemory", false); !usable.ok()) return usable;
  const std::uint64_t end = gpa + size;
  if (host == nullptr || size == 0 || gpa % kPageSize != 0 || size % kPageSize != 0 ||
      reinterpret_cast<std::uintptr_t>(host) % kPageSize != 0 || end < gpa) {
    return InvalidArgument("whp: " + SlotName("MapMemory", slot) + ": guest-physical address " +
                           Hex(gpa) + ", host address " +
                           Hex(reinterpret_cast<std::uintptr_t>(host)) + " and size " + Hex(size) +
                           " must be 4 KiB-aligned, non-null and non-empty, and must not wrap "
                           "around");
  }
  if (const auto it = slots_.find(slot); it != slots_.end()) {
    return InvalidArgument("whp: " + SlotName("MapMemory", slot) +
                           ": the slot is already mapped at " +
                           DescribeRange(it->second.gpa, it->second.gpa + it->second.size));
  }
  // WHvMapGpaRange would replace the other range's pages without a word ("The operation replaces
  // any previous mappings for the specified GPA pages"), so overlaps are refused here.
  for (const auto& [other, mapped] : slots_) {
    if (gpa < mapped.gpa + mapped.size && mapped.gpa < end) {
      return InvalidArgument("whp: " + SlotName("MapMemory", slot) + " " + DescribeRange(gpa, end) +
                             " overlaps slot " + std::to_string(other) + " " +
                             DescribeRange(mapped.gpa, mapped.gpa + mapped.size));
    }
  }
  // Execute is always granted: vmbench maps code and data alike, and read-only memory (a guest
  // image) holds code.
  WHV_MAP_GPA_RANGE_FLAGS flags = WHvMapGpaRangeFlagRead | WHvMapGpaRangeFlagExecute;
  if (access == MemoryAccess::kReadWrite) flags |= WHvMapGpaRangeFlagWrite;
  if (const HRESULT hresult = api_.WHvMapGpaRange(handle_, host, gpa, size, flags);
      FAILED(hresult)) {
    return WhpStatus::Failed(SlotName("MapMemory", slot) + ": WHvMapGpaRange", hresult);
  }
  slots_[slot] = Slot{.gpa = gpa, .size = size, .host = host, .flags = flags};
  return WhpStatus();
}

WhpStatus WhpPartition::UnmapMemory(std::uint32_t slot) {
  ExclusiveLock lock(lock_);
  if (WhpStatus usable = CheckUsable("UnmapMemory", false); !usable.ok()) return usable;
  WhpResult<Slot*> found = FindSlot("UnmapMemory", slot);
  if (!found.ok()) return found.status();
  const Slot& mapped = **found;
  if (const HRESULT hresult = api_.WHvUnmapGpaRange(handle_, mapped.gpa, mapped.size);
      FAILED(hresult)) {
    return WhpStatus::Failed(SlotName("UnmapMemory", slot) + ": WHvUnmapGpaRange", hresult);
  }
  slots_.erase(slot);
  return WhpStatus();
}

WhpStatus WhpPartition::EnableDirtyTracking(std::uint32_t slot) {
  ExclusiveLock lock(lock_);
  if (WhpStatus usable = CheckUsable("EnableDirtyTracking", false); !usable.ok()) return usable;
  WhpResult<Slot*> found = FindSlot("EnableDirtyTracking", slot);
  if (!found.ok()) return found.status();
  Slot& mapped = **found;
  if (!dirty_tracking_supported_) {
    return FailedPrecondition("whp: " + SlotName("EnableDirtyTracking", slot) +
                              ": this hypervisor does not offer dirty-page tracking "
                              "(WHvCapabilityCodeFeatures.DirtyPageTracking is 0)");
  }
  if ((mapped.flags & WHvMapGpaRangeFlagTrackDirtyPages) != 0) return WhpStatus();
  // WHvQueryGpaRangeDirtyBitmap: "that address range must be mapped with WHvMapGpaRange,
  // specifying the WHvMapGpaRangeFlagTrackDirtyPages flag". Mapping the same host memory again
  // replaces the mapping in place (WHvMapGpaRange: "replaces any previous mappings"), so the
  // guest's memory and the pages it already ran from stay as they are.
  const WHV_MAP_GPA_RANGE_FLAGS flags = mapped.flags | WHvMapGpaRangeFlagTrackDirtyPages;
  if (const HRESULT hresult =
          api_.WHvMapGpaRange(handle_, mapped.host, mapped.gpa, mapped.size, flags);
      FAILED(hresult)) {
    return WhpStatus::Failed(
        SlotName("EnableDirtyTracking", slot) + ": WHvMapGpaRange(TrackDirtyPages)", hresult);
  }
  mapped.flags = flags;
  // "If [BitmapSizeInBytes is] zero, then Bitmap can be NULL. This indicates that the range's
  // dirty state should be cleared without querying the current state": the log starts empty.
  if (const HRESULT hresult =
          api_.WHvQueryGpaRangeDirtyBitmap(handle_, mapped.gpa, mapped.size, nullptr, 0);
      FAILED(hresult)) {
    return WhpStatus::Failed(
        SlotName("EnableDirtyTracking", slot) + ": clearing with WHvQueryGpaRangeDirtyBitmap",
        hresult);
  }
  return WhpStatus();
}

WhpResult<std::vector<std::uint64_t>> WhpPartition::TakeDirtyPages(std::uint32_t slot) {
  SharedLock lock(lock_);
  if (WhpStatus usable = CheckUsable("TakeDirtyPages", false); !usable.ok()) return usable;
  WhpResult<Slot*> found = FindSlot("TakeDirtyPages", slot);
  if (!found.ok()) return found.status();
  const Slot& mapped = **found;
  if ((mapped.flags & WHvMapGpaRangeFlagTrackDirtyPages) == 0) {
    return FailedPrecondition("whp: " + SlotName("TakeDirtyPages", slot) +
                              ": dirty tracking is not enabled for the slot");
  }
  // "The bitmap must be large enough to include one bit per each page, rounded up to an 8-byte
  // value", bit i of UINT64 i / 64 for page i: the interface's layout.
  std::vector<std::uint64_t> bitmap((mapped.size / kPageSize + 63) / 64);
  const UINT32 bitmap_bytes = static_cast<UINT32>(bitmap.size() * sizeof(std::uint64_t));
  if (const HRESULT hresult = api_.WHvQueryGpaRangeDirtyBitmap(handle_, mapped.gpa, mapped.size,
                                                               bitmap.data(), bitmap_bytes);
      FAILED(hresult)) {
    return WhpStatus::Failed(SlotName("TakeDirtyPages", slot) + ": WHvQueryGpaRangeDirtyBitmap",
                             hresult);
  }
  // Whether a query also resets the bits is not documented (the NULL form is documented as
  // "cleared without querying", which suggests it does). An explicit clear makes the result right
  // either way, and loses no write: no vCPU runs during TakeDirtyPages (vmbench::Vm says so).
  if (const HRESULT hresult =
          api_.WHvQueryGpaRangeDirtyBitmap(handle_, mapped.gpa, mapped.size, nullptr, 0);
      FAILED(hresult)) {
    return WhpStatus::Failed(
        SlotName("TakeDirtyPages", slot) + ": clearing with WHvQueryGpaRangeDirtyBitmap", hresult);
  }
  return bitmap;
}

WhpStatus WhpPartition::CreateVcpu() {
  ExclusiveLock lock(lock_);
  if (WhpStatus usable = CheckUsable("CreateVcpu(0)", false); !usable.ok()) return usable;
  if (processor_created_) {
    return FailedPrecondition("whp: CreateVcpu(0): vCPU 0 of this VM was already created");
  }
  // The decoder first: a processor must never exist without it (Run uses it at MMIO exits).
  WhpResult<std::unique_ptr<MmioDecoder>> mmio = MmioDecoder::Create(api_, handle_);
  if (!mmio.ok()) return mmio.status();
  if (const HRESULT hresult = api_.WHvCreateVirtualProcessor(handle_, 0, 0); FAILED(hresult)) {
    return WhpStatus::Failed("CreateVcpu(0): WHvCreateVirtualProcessor", hresult);
  }
  mmio_ = std::move(*mmio);
  processor_created_ = true;
  const WHV_REGISTER_NAME name = WHvX64RegisterApicBase;
  WHV_REGISTER_VALUE value{};
  if (const HRESULT hresult = api_.WHvGetVirtualProcessorRegisters(handle_, 0, &name, 1, &value);
      FAILED(hresult)) {
    return WhpStatus::Failed("CreateVcpu(0): WHvGetVirtualProcessorRegisters(ApicBase)", hresult);
  }
  apic_base_ = value.Reg64;
  return WhpStatus();
}

WhpResult<GeneralRegisters> WhpPartition::GetGeneralRegisters() {
  SharedLock lock(lock_);
  if (WhpStatus usable = CheckUsable("GetGeneralRegisters", true); !usable.ok()) return usable;
  GeneralRegisterValues values{};
  if (const HRESULT hresult = api_.WHvGetVirtualProcessorRegisters(
          handle_, 0, kGeneralRegisterNames.data(), kGeneralRegisterNames.size(), values.data());
      FAILED(hresult)) {
    return WhpStatus::Failed("GetGeneralRegisters: WHvGetVirtualProcessorRegisters", hresult);
  }
  return FromWhp(values);
}

WhpStatus WhpPartition::SetGeneralRegisters(const GeneralRegisters& regs) {
  SharedLock lock(lock_);
  if (WhpStatus usable = CheckUsable("SetGeneralRegisters", true); !usable.ok()) return usable;
  const GeneralRegisterValues values = ToWhp(regs);
  if (const HRESULT hresult = api_.WHvSetVirtualProcessorRegisters(
          handle_, 0, kGeneralRegisterNames.data(), kGeneralRegisterNames.size(), values.data());
      FAILED(hresult)) {
    return WhpStatus::Failed("SetGeneralRegisters: WHvSetVirtualProcessorRegisters", hresult);
  }
  return WhpStatus();
}

WhpResult<SpecialRegisters> WhpPartition::GetSpecialRegisters() {
  SharedLock lock(lock_);
  if (WhpStatus usable = CheckUsable("GetSpecialRegisters", true); !usable.ok()) return usable;
  SpecialRegisterValues values{};
  if (const HRESULT hresult = api_.WHvGetVirtualProcessorRegisters(
          handle_, 0, kSpecialRegisterNames.data(), kSpecialRegisterNames.size(), values.data());
      FAILED(hresult)) {
    return WhpStatus::Failed("GetSpecialRegisters: WHvGetVirtualProcessorRegisters", hresult);
  }
  return FromWhp(values);
}

WhpStatus WhpPartition::SetSpecialRegisters(const SpecialRegisters& sregs) {
  ExclusiveLock lock(lock_);
  if (WhpStatus usable = CheckUsable("SetSpecialRegisters", true); !usable.ok()) return usable;
  const SpecialRegisterValues values = ToWhp(sregs);
  // Without local APIC emulation, whether WHP accepts a write of the APIC base MSR is not
  // documented. Callers write back the value they read (x86::LongModeSpecialRegisters keeps the
  // reset value), so the register is left out unless it really changes: the common path cannot
  // fail on it, and a real change still gets WHP's answer.
  const bool write_apic_base = sregs.apic_base != apic_base_;
  const UINT32 count =
      static_cast<UINT32>(write_apic_base ? kSpecialRegisterNames.size() : kApicBaseIndex);
  if (const HRESULT hresult = api_.WHvSetVirtualProcessorRegisters(
          handle_, 0, kSpecialRegisterNames.data(), count, values.data());
      FAILED(hresult)) {
    return WhpStatus::Failed("SetSpecialRegisters: WHvSetVirtualProcessorRegisters", hresult);
  }
  apic_base_ = sregs.apic_base;
  return WhpStatus();
}

WhpResult<VcpuExit> WhpPartition::Run() {
  SharedLock lock(lock_);
  if (WhpStatus usable = CheckUsable("Run", true); !usable.ok()) return usable;
  running_.store(true);
  WhpResult<VcpuExit> exit = RunUntilExit();
  running_.store(false);
  return exit;
}

WhpResult<VcpuExit> WhpPartition::RunUntilExit() {
  for (;;) {
    if (deleting_.load()) return FailedPrecondition("whp: Run: the VM is being deleted");
    if (interrupt_.load() && interrupt_.exchange(false)) return VcpuExit(CancelledExit{});
    WHV_RUN_VP_EXIT_CONTEXT context{};
    if (const HRESULT hresult = api_.WHvRunVirtualProcessor(handle_, 0, &context, sizeof(context));
        FAILED(hresult)) {
      return WhpStatus::Failed("Run: WHvRunVirtualProcessor", hresult);
    }
    // Cancelled for Interrupt or Delete (the checks above return), or a stale cancel (the loop
    // resumes the guest).
    if (context.ExitReason != WHvRunVpExitReasonCanceled) return DecodeExit(context);
  }
}

void WhpPartition::Interrupt() noexcept {
  interrupt_.store(true);
  // Sequentially consistent with Run's running_.store(true) and its load of interrupt_: one of
  // the two sees the other (see "Interrupt" in the header).
  if (!running_.load()) return;
  SharedLock lock(lock_);
  // Nothing can be done if the cancel fails: the guest then runs on until its next exit, where
  // Run sees the flag. No failure is documented for a valid partition and VP index.
  if (handle_ != nullptr && processor_created_) api_.WHvCancelRunVirtualProcessor(handle_, 0, 0);
}

void WhpPartition::ClearInterrupt() noexcept { interrupt_.store(false); }

WhpResult<VcpuExit> WhpPartition::DecodeExit(const WHV_RUN_VP_EXIT_CONTEXT& exit) {
  const std::uint64_t rip = exit.VpContext.Rip;
  switch (exit.ExitReason) {
    case WHvRunVpExitReasonX64IoPortAccess:
      return DecodeIoPort(exit);
    case WHvRunVpExitReasonX64Halt:
      // RIP is already after the HLT (see the header).
      return VcpuExit(HaltExit{});
    case WHvRunVpExitReasonMemoryAccess: {
      if (exit.MemoryAccess.AccessInfo.AccessType == WHvMemoryAccessExecute) {
        const std::string target = Hex(exit.MemoryAccess.Gpa);
        return Fault(
            FaultExit::Kind::kInternalError,
            "whp: the guest fetched an instruction from unbacked guest-physical address " + target,
            rip);
      }
      return mmio_->Decode(exit, [this](std::uint64_t gpa, std::size_t size, bool write) {
        return HostMemory(gpa, size, write);
      });
    }
    case WHvRunVpExitReasonUnrecoverableException:
      return Fault(FaultExit::Kind::kShutdown,
                   "whp: the guest hit an unrecoverable exception (a triple fault, e.g. an "
                   "exception without an IDT to handle it)",
                   rip);
    case WHvRunVpExitReasonInvalidVpRegisterValue:
      return Fault(FaultExit::Kind::kInternalError,
                   "whp: WHP refused to run the vCPU with its register state "
                   "(WHvRunVpExitReasonInvalidVpRegisterValue)",
                   rip);
    case WHvRunVpExitReasonUnsupportedFeature:
      return Fault(FaultExit::Kind::kInternalError,
                   "whp: the guest used a feature WHP does not support "
                   "(WHvRunVpExitReasonUnsupportedFeature, feature code " +
                       std::to_string(exit.UnsupportedFeature.FeatureCode) + ", parameter " +
                       Hex(exit.UnsupportedFeature.FeatureParameter) + ")",
                   rip);
    default:
      return Fault(FaultExit::Kind::kInternalError,
                   "whp: unexpected exit " + std::string(ExitReasonName(exit.ExitReason)) + " (" +
                       Hex(exit.ExitReason) + ")",
                   rip);
  }
}

WhpResult<VcpuExit> WhpPartition::DecodeIoPort(const WHV_RUN_VP_EXIT_CONTEXT& exit) {
  const WHV_X64_IO_PORT_ACCESS_CONTEXT& io = exit.IoPortAccess;
  const std::uint64_t rip = exit.VpContext.Rip;
  const auto size = static_cast<std::uint8_t>(io.AccessInfo.AccessSize);
  if (!io.AccessInfo.IsWrite) {
    return Fault(FaultExit::Kind::kInternalError,
                 "whp: the guest executed IN from port " + Hex(io.PortNumber) + " (" +
                     std::to_string(size) + " bytes), and port input is not supported",
                 rip);
  }
  if (io.AccessInfo.StringOp || io.AccessInfo.RepPrefix) {
    return Fault(FaultExit::Kind::kInternalError,
                 "whp: the guest executed a string OUT (OUTS) to port " + Hex(io.PortNumber) +
                     ", and only single OUTs are supported",
                 rip);
  }
  if (!x86::IsPortAccessSize(size)) {
    return Fault(FaultExit::Kind::kInternalError,
                 "whp: OUT to port " + Hex(io.PortNumber) + " with access size " +
                     std::to_string(size) + ", which is not 1, 2 or 4",
                 rip);
  }
  const std::uint8_t length = exit.VpContext.InstructionLength;
  if (length == 0) {
    // Moving RIP by 0 would run the OUT again forever.
    return WhpStatus::Error(WhpErrorKind::kInternal,
                            "whp: Run: the OUT exit at rip " + Hex(rip) +
                                " reports no instruction length (VpContext.InstructionLength)");
  }
  // WHP leaves RIP at the OUT; the interface wants it after.
  const WHV_REGISTER_NAME name = WHvX64RegisterRip;
  WHV_REGISTER_VALUE value{};
  value.Reg64 = x86::RipAfter(rip, length);
  if (const HRESULT hresult = api_.WHvSetVirtualProcessorRegisters(handle_, 0, &name, 1, &value);
      FAILED(hresult)) {
    return WhpStatus::Failed("Run: moving RIP past the OUT: WHvSetVirtualProcessorRegisters",
                             hresult);
  }
  return VcpuExit(x86::IoOutFromRax(io.PortNumber, size, io.Rax));
}

}  // namespace vmbench::whp
