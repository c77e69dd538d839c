#include "vmbench/sandbox/sandbox.h"

#include <algorithm>
#include <bit>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "vmbench/guest/image.h"
#include "vmbench/plugin/status_macros.h"
#include "vmbench/sandbox/guest_abi.h"
#include "vmbench/x86/x86_long_mode.h"

namespace vmbench::sandbox {

// ---- interrupting a call ----

// Shared by the sandbox, its interrupt handles and its watchdog. The mutex makes "is a call
// running, and which" and "interrupt the vCPU" one step, so a kill can neither slip in after the
// call ended (and cancel the next one) nor be lost because the vCPU was just entering the guest:
// the backend keeps an interrupt that arrives before Run and returns Cancelled from it.
struct CallControl {
  enum class Stop { kNone, kKilled, kTimedOut };

  std::mutex mu;
  Vcpu* vcpu = nullptr;  // null until initialized and after the sandbox is dropped
  bool in_call = false;
  std::uint64_t call = 0;  // which call is (or was last) running
  Stop stop = Stop::kNone;

  std::uint64_t BeginCall() {
    std::lock_guard lock(mu);
    in_call = true;
    stop = Stop::kNone;
    return ++call;
  }

  // Ends the call and drops an interrupt that arrived after its last exit.
  void EndCall() {
    std::lock_guard lock(mu);
    in_call = false;
    if (vcpu != nullptr) vcpu->ClearInterrupt();
  }

  Stop stop_reason() {
    std::lock_guard lock(mu);
    return stop;
  }

  // Cancels call `which` (any call when empty) if it is still running.
  bool Interrupt(std::optional<std::uint64_t> which, Stop why) {
    std::lock_guard lock(mu);
    if (!in_call || vcpu == nullptr || (which.has_value() && *which != call)) return false;
    if (stop == Stop::kNone) stop = why;
    vcpu->Interrupt();
    return true;
  }
};

bool InterruptHandle::Kill() {
  return control_->Interrupt(std::nullopt, CallControl::Stop::kKilled);
}

bool InterruptHandle::InCall() const {
  std::lock_guard lock(control_->mu);
  return control_->in_call;
}

namespace {

using Stop = CallControl::Stop;
using Clock = std::chrono::steady_clock;

// Enforces call timeouts: one thread per sandbox, started by the first call with a timeout,
// sleeping until the armed deadline and then cancelling that call (and only that call).
class Watchdog {
 public:
  explicit Watchdog(std::shared_ptr<CallControl> control)
      : control_(std::move(control)), thread_([this] { Loop(); }) {}

  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  void Arm(std::uint64_t call, Clock::time_point deadline) {
    {
      std::lock_guard lock(mu_);
      armed_ = Armed{call, deadline};
    }
    wake_.notify_one();
  }

  void Disarm() {
    std::lock_guard lock(mu_);
    armed_.reset();
  }

 private:
  struct Armed {
    std::uint64_t call;
    Clock::time_point deadline;
  };

  void Loop() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      if (!armed_.has_value()) {
        wake_.wait(lock);
      } else if (Clock::now() < armed_->deadline) {
        wake_.wait_until(lock, armed_->deadline);
      } else {
        const std::uint64_t call = armed_->call;
        armed_.reset();
        control_->Interrupt(call, Stop::kTimedOut);
      }
    }
  }

  std::shared_ptr<CallControl> control_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::optional<Armed> armed_;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the members it uses exist
};

// ---- dirty-page bitmaps (bit i of word i/64 is page i, as Vm::TakeDirtyPages returns) ----

void MarkPages(std::vector<std::uint64_t>& bitmap, std::uint64_t offset, std::uint64_t length) {
  if (length == 0) return;
  const std::uint64_t last = (offset + length - 1) / kPageSize;
  for (std::uint64_t page = offset / kPageSize; page <= last; ++page) {
    bitmap[page / 64] |= std::uint64_t{1} << (page % 64);
  }
}

bool PageSet(const std::vector<std::uint64_t>& bitmap, std::size_t page) {
  return (bitmap[page / 64] >> (page % 64) & 1) != 0;
}

// Calls fn(first_page, page_count) for each run of consecutive set bits, skipping empty words, so
// the cost follows the number of dirty pages (plus one word test per 64 pages).
template <typename Fn>
void ForEachRun(const std::vector<std::uint64_t>& bitmap, Fn fn) {
  std::size_t run_start = 0, run_length = 0;
  for (std::size_t word = 0; word < bitmap.size(); ++word) {
    std::uint64_t bits = bitmap[word];
    while (bits != 0) {
      const std::size_t page = word * 64 + static_cast<std::size_t>(std::countr_zero(bits));
      bits &= bits - 1;
      if (run_length != 0 && page == run_start + run_length) {
        ++run_length;
        continue;
      }
      if (run_length != 0) fn(run_start, run_length);
      run_start = page;
      run_length = 1;
    }
  }
  if (run_length != 0) fn(run_start, run_length);
}

std::uint64_t AlignUp(std::uint64_t value, std::uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

absl::StatusOr<vmb_image_header> ReadImageHeader(std::span<const std::uint8_t> image) {
  if (image.size() < sizeof(vmb_image_header)) {
    return absl::InvalidArgumentError(
        absl::StrCat("guest image: ", image.size(), " bytes is too small for its header"));
  }
  vmb_image_header header;
  std::memcpy(&header, image.data(), sizeof(header));
  if (header.magic != VMB_IMAGE_MAGIC || header.abi_version != VMB_GUEST_ABI_VERSION) {
    return absl::InvalidArgumentError(
        absl::StrFormat("guest image: magic 0x%08x version %u, expected 0x%08x version %u",
                        header.magic, header.abi_version, VMB_IMAGE_MAGIC, VMB_GUEST_ABI_VERSION));
  }
  const std::uint64_t loaded_end = VMB_IMAGE_GPA + image.size();
  if (loaded_end > VMB_IMAGE_LIMIT || header.image_end < loaded_end ||
      header.image_end > VMB_IMAGE_LIMIT) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "guest image: %u bytes ending at 0x%x (with .bss at 0x%x) does not fit below 0x%x",
        image.size(), loaded_end, header.image_end, VMB_IMAGE_LIMIT));
  }
  for (const std::uint64_t entry : {header.init_entry, header.dispatch_entry}) {
    if (entry < VMB_IMAGE_GPA + sizeof(header) || entry >= loaded_end) {
      return absl::InvalidArgumentError(
          absl::StrFormat("guest image: entry point 0x%x is outside its code [0x%x, 0x%x)", entry,
                          VMB_IMAGE_GPA + sizeof(header), loaded_end));
    }
  }
  return header;
}

SandboxLayout ComputeLayout(const SandboxConfig& config, const vmb_image_header& header) {
  SandboxLayout layout;
  layout.image_gpa = VMB_IMAGE_GPA;
  layout.image_end = header.image_end;
  layout.init_entry = header.init_entry;
  layout.dispatch_entry = header.dispatch_entry;
  layout.stack_gpa = VMB_IMAGE_LIMIT;
  layout.stack_top = layout.stack_gpa + AlignUp(config.stack_size, kPageSize);
  layout.input_gpa = layout.stack_top;
  layout.input_size = AlignUp(config.input_buffer_size, kPageSize);
  layout.output_gpa = layout.input_gpa + layout.input_size;
  layout.output_size = AlignUp(config.output_buffer_size, kPageSize);
  layout.heap_gpa = layout.output_gpa + layout.output_size;
  layout.heap_size = AlignUp(config.heap_size, kPageSize);
  layout.memory_size = layout.heap_gpa + layout.heap_size;
  return layout;
}

absl::Status ValidateConfig(const SandboxConfig& config) {
  if (config.input_buffer_size < VMB_WIRE_HEADER_SIZE ||
      config.output_buffer_size < VMB_WIRE_HEADER_SIZE || config.stack_size < kPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("sandbox config: input and output buffers need at least ",
                     VMB_WIRE_HEADER_SIZE, " bytes and the stack one page"));
  }
  const std::uint64_t limit = VMB_MAX_PAGE_DIRECTORIES << 30;
  const std::uint64_t total = VMB_IMAGE_LIMIT + config.stack_size + config.input_buffer_size +
                              config.output_buffer_size + config.heap_size;
  if (config.heap_size > limit || config.input_buffer_size > limit ||
      config.output_buffer_size > limit || config.stack_size > limit || total > limit) {
    return absl::InvalidArgumentError(absl::StrCat("sandbox config: ", total,
                                                   " bytes of guest memory exceed the ", limit,
                                                   "-byte limit of the identity map"));
  }
  return absl::OkStatus();
}

absl::StatusCode CodeForGuestStatus(std::uint32_t status) {
  switch (status) {
    case VMB_STATUS_UNKNOWN_FUNCTION:
      return absl::StatusCode::kNotFound;
    case VMB_STATUS_BAD_ARGUMENTS:
      return absl::StatusCode::kInvalidArgument;
    case VMB_STATUS_NO_SPACE:
      return absl::StatusCode::kResourceExhausted;
    case VMB_STATUS_HOST_ERROR:
      return absl::StatusCode::kAborted;
    default:
      return absl::StatusCode::kDataLoss;
  }
}

std::string ExceptionName(std::uint64_t vector) {
  static constexpr const char* kNames[] = {"#DE divide error",
                                           "#DB debug",
                                           "NMI",
                                           "#BP breakpoint",
                                           "#OF overflow",
                                           "#BR bound range",
                                           "#UD invalid opcode",
                                           "#NM device not available",
                                           "#DF double fault",
                                           "coprocessor segment overrun",
                                           "#TS invalid TSS",
                                           "#NP segment not present",
                                           "#SS stack fault",
                                           "#GP general protection",
                                           "#PF page fault"};
  if (vector < std::size(kNames)) return kNames[vector];
  return absl::StrCat("vector ", vector);
}

absl::Status HostPrint(std::span<const Value> args, std::int32_t* written) {
  if (args.size() != 1 || !std::holds_alternative<std::string>(args[0])) {
    return absl::InvalidArgumentError(internal::SignatureMismatch("(string)", args));
  }
  const std::string& text = std::get<std::string>(args[0]);
  std::fwrite(text.data(), 1, text.size(), stdout);
  *written = static_cast<std::int32_t>(text.size());
  return absl::OkStatus();
}

}  // namespace

namespace internal {

std::string SignatureMismatch(absl::string_view expected, std::span<const Value> args) {
  std::vector<std::string> got;
  for (const Value& arg : args) got.push_back(ValueTypeName(arg.index()));
  return absl::StrCat("expects ", expected, ", got (", absl::StrJoin(got, ", "), ")");
}

}  // namespace internal

absl::StatusOr<SandboxConfig> SandboxConfig::Named(absl::string_view size) {
  constexpr std::size_t kMiB = 1024 * 1024;
  SandboxConfig config;
  if (size == "default") return config;
  if (size == "small") {
    config.heap_size = 8 * kMiB;
  } else if (size == "medium") {
    config.heap_size = 64 * kMiB;
  } else if (size == "large") {
    config.heap_size = 256 * kMiB;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("sandbox size '", size, "' is not one of default, small, medium, large"));
  }
  return config;
}

// ---- the state behind both sandbox types ----

struct SandboxState {
  Hypervisor* hypervisor = nullptr;
  HypervisorCapabilities capabilities;
  SandboxLayout layout;
  SharedMemory memory;  // before vm and vcpu: destroyed after them
  std::map<std::string, HostFunction, std::less<>> host_functions;
  std::unique_ptr<Vm> vm;
  std::unique_ptr<Vcpu> vcpu;
  std::shared_ptr<CallControl> interrupt = std::make_shared<CallControl>();
  std::unique_ptr<Watchdog> watchdog;

  // Pages the host wrote since the last snapshot or restore (the backend logs the guest's).
  std::vector<std::uint64_t> host_dirty;
  // The most recent snapshot's contents of every page that has been dirty since creation; a page
  // never copied there is all zero in the snapshot.
  SharedMemory shadow;
  std::vector<std::uint64_t> shadow_populated;
  std::uint64_t snapshot_generation = 0;
  RestoreStats last_restore;
  // Why calls are refused until the next restore, when a call was cut short.
  std::optional<std::string> poisoned;

  ~SandboxState() {
    watchdog.reset();
    std::lock_guard lock(interrupt->mu);
    interrupt->vcpu = nullptr;
  }

  std::span<std::uint8_t> Region(std::uint64_t gpa, std::uint64_t size) {
    return memory.bytes().subspan(gpa, size);
  }

  void WriteHost(std::uint64_t gpa, std::span<const std::uint8_t> bytes) {
    std::memcpy(memory.base() + gpa, bytes.data(), bytes.size());
    MarkPages(host_dirty, gpa, bytes.size());
  }

  absl::Status RunGuest(absl::string_view what);
  absl::Status HandleHostCall(absl::string_view what);
  absl::Status GuestFault(absl::string_view what);
  absl::Status CollectDirtyPages();
};

absl::Status SandboxState::GuestFault(absl::string_view what) {
  vmb_fault_record fault;
  std::memcpy(&fault, memory.base() + VMB_FAULT_RECORD_GPA, sizeof(fault));
  return absl::InternalError(
      absl::StrFormat("%s: guest fault: %s (error code 0x%x) at rip 0x%x, cr2 0x%x", what,
                      ExceptionName(fault.vector), fault.error_code, fault.rip, fault.cr2));
}

absl::Status SandboxState::HandleHostCall(absl::string_view what) {
  const std::span<std::uint8_t> output = Region(layout.output_gpa, layout.output_size);
  absl::StatusOr<FunctionCall> call =
      DecodeCall(VMB_RECORD_HOST_CALL, output, absl::StrCat(what, ": host call"));
  if (!call.ok()) return call.status();

  FunctionResult result;
  const auto function = host_functions.find(call->name);
  if (function == host_functions.end()) {
    result.status = VMB_STATUS_UNKNOWN_FUNCTION;
    result.message = absl::StrCat("no host function named ", call->name);
  } else if (absl::StatusOr<Value> value = function->second(call->args); value.ok()) {
    result.value = *std::move(value);
  } else {
    result.status = VMB_STATUS_HOST_ERROR;
    result.message = absl::StrCat(call->name, ": ", value.status().message());
  }
  absl::StatusOr<std::size_t> written = EncodeResult(VMB_RECORD_HOST_RESULT, result, output);
  if (!written.ok()) {
    result = FunctionResult{
        VMB_STATUS_NO_SPACE,
        {},
        absl::StrCat("the result of ", call->name, " does not fit the output buffer")};
    written = EncodeResult(VMB_RECORD_HOST_RESULT, result, output);
    if (!written.ok()) return written.status();
  }
  MarkPages(host_dirty, layout.output_gpa, *written);
  return absl::OkStatus();
}

absl::Status SandboxState::RunGuest(absl::string_view what) {
  for (;;) {
    absl::StatusOr<VcpuExit> exit = vcpu->Run();
    if (!exit.ok())
      return absl::Status(exit.status().code(), absl::StrCat(what, ": ", exit.status().message()));
    if (const auto* io = std::get_if<IoOutExit>(&*exit)) {
      switch (io->port) {
        case VMB_PORT_DONE:
          return absl::OkStatus();
        case VMB_PORT_HOST_CALL:
          VMB_RETURN_IF_ERROR(HandleHostCall(what));
          continue;
        case VMB_PORT_FAULT:
          return GuestFault(what);
        default:
          return absl::InternalError(absl::StrFormat("%s: guest wrote 0x%x to unknown port 0x%x",
                                                     what, io->value, io->port));
      }
    }
    if (std::holds_alternative<CancelledExit>(*exit)) {
      switch (interrupt->stop_reason()) {
        case Stop::kKilled:
          return absl::CancelledError(absl::StrCat(what, ": cancelled by host"));
        case Stop::kTimedOut:
          return absl::DeadlineExceededError(absl::StrCat(what, ": timed out"));
        case Stop::kNone:
          continue;  // a stale kick (e.g. a signal meant for an earlier run): resume
      }
    }
    absl::StatusOr<GeneralRegisters> regs = vcpu->GetGeneralRegisters();
    const std::uint64_t rip = regs.ok() ? regs->rip : 0;
    if (const auto* mmio = std::get_if<MmioExit>(&*exit)) {
      return absl::InternalError(
          absl::StrFormat("%s: guest %s %u bytes at unmapped gpa 0x%x (rip 0x%x)", what,
                          mmio->is_write ? "wrote" : "read", mmio->size, mmio->gpa, rip));
    }
    if (const auto* fault = std::get_if<FaultExit>(&*exit)) {
      if (fault->kind == FaultExit::Kind::kException) {
        return absl::InternalError(absl::StrFormat("%s: guest fault: %s at rip 0x%x", what,
                                                   ExceptionName(fault->vector), fault->rip));
      }
      return absl::InternalError(absl::StrCat(what, ": guest stopped: ", fault->detail));
    }
    return absl::InternalError(
        absl::StrFormat("%s: guest halted at rip 0x%x without signalling completion", what, rip));
  }
}

absl::Status SandboxState::CollectDirtyPages() {
  if (!capabilities.dirty_tracking) {
    // Without a dirty log every page may have changed: snapshots and restores copy everything.
    std::fill(host_dirty.begin(), host_dirty.end(), ~std::uint64_t{0});
    return absl::OkStatus();
  }
  VMB_ASSIGN_OR_RETURN(const std::vector<std::uint64_t> guest_dirty, vm->TakeDirtyPages(0));
  const std::size_t words = std::min(guest_dirty.size(), host_dirty.size());
  for (std::size_t i = 0; i < words; ++i) host_dirty[i] |= guest_dirty[i];
  return absl::OkStatus();
}

// ---- UninitializedSandbox ----

absl::StatusOr<UninitializedSandbox> UninitializedSandbox::Create(Hypervisor& hypervisor,
                                                                  const SandboxConfig& config) {
  return Create(hypervisor, config, GuestImage());
}

absl::StatusOr<UninitializedSandbox> UninitializedSandbox::Create(
    Hypervisor& hypervisor, const SandboxConfig& config, std::span<const std::uint8_t> image) {
  VMB_RETURN_IF_ERROR(ValidateConfig(config));
  VMB_ASSIGN_OR_RETURN(const vmb_image_header header, ReadImageHeader(image));
  auto state = std::make_unique<SandboxState>();
  state->hypervisor = &hypervisor;
  state->capabilities = hypervisor.Capabilities();
  state->layout = ComputeLayout(config, header);
  const SandboxLayout& layout = state->layout;
  VMB_ASSIGN_OR_RETURN(state->memory, SharedMemory::Create(layout.memory_size));
  const std::size_t pages = state->memory.size() / kPageSize;
  state->host_dirty.assign((pages + 63) / 64, 0);
  state->shadow_populated.assign(state->host_dirty.size(), 0);

  // Page tables, boot information and the image: the only bytes creation writes.
  const x86::PageTableLayout tables{VMB_PML4_GPA, VMB_PDPT_GPA, VMB_PAGE_DIRECTORY_GPA};
  VMB_RETURN_IF_ERROR(
      x86::WriteIdentityPageTables({state->memory.bytes(), 0}, tables, layout.memory_size));
  MarkPages(state->host_dirty, VMB_PML4_GPA,
            VMB_PAGE_DIRECTORY_GPA - VMB_PML4_GPA +
                x86::PageDirectoryCount(layout.memory_size) * kPageSize);
  vmb_boot_info info{};
  info.magic = VMB_BOOT_INFO_MAGIC;
  info.abi_version = VMB_GUEST_ABI_VERSION;
  info.input_gpa = layout.input_gpa;
  info.input_size = layout.input_size;
  info.output_gpa = layout.output_gpa;
  info.output_size = layout.output_size;
  info.heap_gpa = layout.heap_gpa;
  info.heap_size = layout.heap_size;
  info.stack_top = layout.stack_top;
  state->WriteHost(VMB_BOOT_INFO_GPA,
                   std::span(reinterpret_cast<const std::uint8_t*>(&info), sizeof(info)));
  state->WriteHost(VMB_IMAGE_GPA, image);

  UninitializedSandbox sandbox(std::move(state));
  sandbox.RegisterHostFunction("HostPrint",
                               [](std::span<const Value> args) -> absl::StatusOr<Value> {
                                 std::int32_t written = 0;
                                 VMB_RETURN_IF_ERROR(HostPrint(args, &written));
                                 return Value{written};
                               });
  return sandbox;
}

UninitializedSandbox::UninitializedSandbox(std::unique_ptr<SandboxState> state)
    : state_(std::move(state)) {}
UninitializedSandbox::UninitializedSandbox(UninitializedSandbox&&) noexcept = default;
UninitializedSandbox& UninitializedSandbox::operator=(UninitializedSandbox&&) noexcept = default;
UninitializedSandbox::~UninitializedSandbox() = default;

void UninitializedSandbox::RegisterHostFunction(const std::string& name, HostFunction function) {
  state_->host_functions.insert_or_assign(name, std::move(function));
}

const SandboxLayout& UninitializedSandbox::layout() const { return state_->layout; }

absl::StatusOr<Sandbox> UninitializedSandbox::Initialize() && {
  SandboxState& s = *state_;
  VMB_ASSIGN_OR_RETURN(s.vm, s.hypervisor->CreateVm());
  VMB_RETURN_IF_ERROR(
      s.vm->MapMemory(0, 0, s.memory.base(), s.memory.size(), MemoryAccess::kReadWrite));
  if (s.capabilities.dirty_tracking) VMB_RETURN_IF_ERROR(s.vm->EnableDirtyTracking(0));
  VMB_ASSIGN_OR_RETURN(s.vcpu, s.vm->CreateVcpu(0));
  {
    std::lock_guard lock(s.interrupt->mu);
    s.interrupt->vcpu = s.vcpu.get();
  }
  VMB_ASSIGN_OR_RETURN(const SpecialRegisters reset, s.vcpu->GetSpecialRegisters());
  VMB_ASSIGN_OR_RETURN(const SpecialRegisters long_mode,
                       x86::LongModeSpecialRegisters(reset, VMB_PML4_GPA));
  VMB_RETURN_IF_ERROR(s.vcpu->SetSpecialRegisters(long_mode));
  GeneralRegisters regs;
  regs.rip = s.layout.init_entry;
  regs.rsp = s.layout.stack_top;
  regs.rdi = VMB_BOOT_INFO_GPA;
  VMB_RETURN_IF_ERROR(s.vcpu->SetGeneralRegisters(regs));
  s.interrupt->BeginCall();
  const absl::Status init = s.RunGuest("guest init");
  s.interrupt->EndCall();
  VMB_RETURN_IF_ERROR(init);
  return Sandbox(std::move(state_));
}

// ---- Sandbox ----

Sandbox::Sandbox(std::unique_ptr<SandboxState> state) : state_(std::move(state)) {}
Sandbox::Sandbox(Sandbox&&) noexcept = default;
Sandbox& Sandbox::operator=(Sandbox&&) noexcept = default;
Sandbox::~Sandbox() = default;

absl::StatusOr<Value> Sandbox::Call(absl::string_view function, std::span<const Value> args,
                                    const CallOptions& options) {
  SandboxState& s = *state_;
  const std::string what = absl::StrCat("guest call ", function);
  if (s.poisoned.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": refused: ", *s.poisoned, "; restore a snapshot first"));
  }
  const std::span<std::uint8_t> input = s.Region(s.layout.input_gpa, s.layout.input_size);
  absl::StatusOr<std::size_t> written = EncodeCall(VMB_RECORD_CALL, function, args, input);
  if (!written.ok()) {
    return absl::Status(written.status().code(),
                        absl::StrCat(what, ": arguments: ", written.status().message()));
  }
  MarkPages(s.host_dirty, s.layout.input_gpa, *written);

  GeneralRegisters regs;
  regs.rip = s.layout.dispatch_entry;
  regs.rsp = s.layout.stack_top;
  VMB_RETURN_IF_ERROR(s.vcpu->SetGeneralRegisters(regs));

  const std::uint64_t call = s.interrupt->BeginCall();
  if (options.timeout.has_value()) {
    if (s.watchdog == nullptr) s.watchdog = std::make_unique<Watchdog>(s.interrupt);
    s.watchdog->Arm(call, Clock::now() + *options.timeout);
  }
  const absl::Status run = s.RunGuest(what);
  if (s.watchdog != nullptr) s.watchdog->Disarm();
  s.interrupt->EndCall();
  if (!run.ok()) {
    // The guest stopped mid-function: its stack and globals may be inconsistent.
    s.poisoned = absl::StrCat("the call to ", function, " did not complete (", run.message(), ")");
    return run;
  }

  absl::StatusOr<FunctionResult> result =
      DecodeResult(VMB_RECORD_RESULT, s.Region(s.layout.output_gpa, s.layout.output_size),
                   absl::StrCat(what, ": result"));
  if (!result.ok()) {
    s.poisoned = absl::StrCat("the guest returned a malformed result from ", function);
    return result.status();
  }
  if (result->status != VMB_STATUS_OK) {
    return absl::Status(CodeForGuestStatus(result->status),
                        absl::StrCat(what, ": ", result->message));
  }
  return std::move(result->value);
}

absl::StatusOr<Snapshot> Sandbox::TakeSnapshot() {
  SandboxState& s = *state_;
  if (s.poisoned.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("snapshot refused: ", *s.poisoned, "; restore a snapshot first"));
  }
  if (s.shadow.size() == 0) {
    VMB_ASSIGN_OR_RETURN(s.shadow, SharedMemory::Create(s.memory.size()));
  }
  VMB_RETURN_IF_ERROR(s.CollectDirtyPages());
  ForEachRun(s.host_dirty, [&](std::size_t first, std::size_t count) {
    std::memcpy(s.shadow.base() + first * kPageSize, s.memory.base() + first * kPageSize,
                count * kPageSize);
  });
  for (std::size_t i = 0; i < s.host_dirty.size(); ++i) {
    s.shadow_populated[i] |= s.host_dirty[i];
    s.host_dirty[i] = 0;
  }
  VMB_ASSIGN_OR_RETURN(const SpecialRegisters sregs, s.vcpu->GetSpecialRegisters());
  return Snapshot(&s, ++s.snapshot_generation, sregs);
}

absl::Status Sandbox::Restore(const Snapshot& snapshot) {
  SandboxState& s = *state_;
  if (snapshot.owner_ != &s) {
    return absl::InvalidArgumentError("restore: the snapshot belongs to another sandbox");
  }
  if (snapshot.generation_ != s.snapshot_generation) {
    return absl::FailedPreconditionError(
        absl::StrCat("restore: snapshot ", snapshot.generation_, " is not the most recent (",
                     s.snapshot_generation, "); only the most recent snapshot can be restored"));
  }
  VMB_RETURN_IF_ERROR(s.CollectDirtyPages());
  RestoreStats stats;
  absl::Status status;
  ForEachRun(s.host_dirty, [&](std::size_t first, std::size_t count) {
    // Split the run into pages the snapshot holds (copied back) and pages that were zero in it.
    std::size_t page = first;
    const std::size_t end = first + count;
    while (page < end) {
      const bool populated = PageSet(s.shadow_populated, page);
      std::size_t next = page + 1;
      while (next < end && PageSet(s.shadow_populated, next) == populated) ++next;
      const std::size_t offset = page * kPageSize, bytes = (next - page) * kPageSize;
      if (populated) {
        std::memcpy(s.memory.base() + offset, s.shadow.base() + offset, bytes);
        stats.pages_copied += next - page;
      } else {
        // A backend that pins guest memory (mshv3) must see the same pages: zero them in place.
        if (s.capabilities.replaceable_memory) {
          if (absl::Status discard = s.memory.Discard(offset, bytes); !discard.ok())
            status = discard;
        } else {
          std::memset(s.memory.base() + offset, 0, bytes);
        }
        stats.pages_discarded += next - page;
      }
      page = next;
    }
  });
  VMB_RETURN_IF_ERROR(status);
  // Special registers are written back only when they changed or the page tables were restored:
  // the write reloads CR3, which drops every cached translation (on the emulator, all translated
  // code too), so doing it on every restore would make the next call pay for retranslation.
  bool tables_restored = false;
  for (std::uint64_t page = VMB_PML4_GPA / kPageSize; page < VMB_BOOT_INFO_GPA / kPageSize;
       ++page) {
    tables_restored = tables_restored || PageSet(s.host_dirty, page);
  }
  std::fill(s.host_dirty.begin(), s.host_dirty.end(), 0);
  VMB_ASSIGN_OR_RETURN(const SpecialRegisters current, s.vcpu->GetSpecialRegisters());
  if (tables_restored || current != snapshot.sregs_) {
    VMB_RETURN_IF_ERROR(s.vcpu->SetSpecialRegisters(snapshot.sregs_));
  }
  s.last_restore = stats;
  s.poisoned.reset();
  return absl::OkStatus();
}

const RestoreStats& Sandbox::last_restore() const { return state_->last_restore; }

std::shared_ptr<InterruptHandle> Sandbox::interrupt_handle() const {
  return std::shared_ptr<InterruptHandle>(new InterruptHandle(state_->interrupt));
}

absl::Status Sandbox::ReadMemory(std::uint64_t gpa, std::span<std::uint8_t> out) const {
  return state_->memory.CopyToSlice(out, gpa);
}

absl::Status Sandbox::WriteMemory(std::uint64_t gpa, std::span<const std::uint8_t> bytes) {
  VMB_RETURN_IF_ERROR(state_->memory.CopyFromSlice(bytes, gpa));
  MarkPages(state_->host_dirty, gpa, bytes.size());
  return absl::OkStatus();
}
const SandboxLayout& Sandbox::layout() const { return state_->layout; }

}  // namespace vmbench::sandbox
