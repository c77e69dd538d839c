// The Unicorn instance behind one emulator VM, and the hooks that turn Unicorn events into vCPU
// exits.
//
// Unicorn 2.0.1 decides at translation time whether a translated block calls the code hook before
// each instruction (qemu/target/i386/translate.c: HOOK_EXISTS_BOUNDED(UC_HOOK_CODE)), so a block
// translated before that hook existed would never call it. An Engine therefore installs its hooks
// when it is created, before any code is translated; the vCPU only switches behaviour through the
// state below. (The dirty-page write hooks are the exception, added when tracking starts: see
// emulator_vm.cc for why that is safe.)
//
// Owned by EmulatorVm (which shares it with its one vCPU). Never moves: the hooks hold its address.
// All members are used on the thread that runs the vCPU, except `interrupt`, which any thread may
// set.

#ifndef VMBENCH_HYPERVISORS_EMULATOR_EMULATOR_ENGINE_H_
#define VMBENCH_HYPERVISORS_EMULATOR_EMULATOR_ENGINE_H_

#include <unicorn/unicorn.h>

#include <atomic>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace vmbench::emulator {

// "emulator: <operation> failed: <Unicorn's message>".
absl::Status UnicornError(absl::string_view operation, uc_err err);

// The event that ended one uc_emu_start, as a hook recorded it. Plain data: hooks run inside
// Unicorn's C frames, where nothing may throw or allocate, so the vCPU turns it into a VcpuExit
// after uc_emu_start returns. The first event of a run wins; later ones are ignored.
struct HookEvent {
  enum class Kind {
    kNone,       // no hook fired: HLT, or an error uc_emu_start reports itself
    kIoOut,      // OUT: port, size, value
    kIoIn,       // IN: port, size, rip
    kCancelled,  // the interrupt flag was seen before the instruction at rip
    kMemory,     // unmapped or write-protected access: memory_type, address, size, value
    kException,  // a CPU exception or INT n: vector, rip
  };
  Kind kind = Kind::kNone;
  std::uint64_t rip = 0;
  std::uint16_t port = 0;
  std::uint8_t size = 0;
  std::uint32_t io_value = 0;
  uc_mem_type memory_type = UC_MEM_READ;
  std::uint64_t address = 0;
  std::uint64_t memory_value = 0;
  std::uint32_t vector = 0;
};

class Engine {
 public:
  // Opens Unicorn in 64-bit x86 mode and installs the exit hooks.
  static absl::StatusOr<std::unique_ptr<Engine>> Create() noexcept;

  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  ~Engine();

  uc_engine* uc() const { return uc_; }

  // Set by Vcpu::Interrupt from any thread; polled by the code hook before every instruction and
  // cleared by whoever consumes it (a Run returning CancelledExit, or ClearInterrupt).
  std::atomic<bool> interrupt{false};

  // Reset by the vCPU before each uc_emu_start, filled by the hooks.
  HookEvent event;

 private:
  explicit Engine(uc_engine* uc) : uc_(uc) {}

  absl::Status InstallHooks();

  static void OnCode(uc_engine* uc, std::uint64_t address, std::uint32_t size, void* user);
  static void OnOut(uc_engine* uc, std::uint32_t port, int size, std::uint32_t value, void* user);
  static std::uint32_t OnIn(uc_engine* uc, std::uint32_t port, int size, void* user);
  static void OnInterrupt(uc_engine* uc, std::uint32_t vector, void* user);
  static bool OnInvalidMemory(uc_engine* uc, uc_mem_type type, std::uint64_t address, int size,
                              std::int64_t value, void* user);

  uc_engine* uc_;
};

}  // namespace vmbench::emulator

#endif  // VMBENCH_HYPERVISORS_EMULATOR_EMULATOR_ENGINE_H_
