#include "emulator_engine.h"

#include "absl/strings/str_cat.h"
#include "vmbench/plugin/status_macros.h"

namespace vmbench::emulator {
namespace {

Engine* EngineOf(void* user) { return static_cast<Engine*>(user); }

std::uint32_t MaskToSize(std::uint64_t value, int size) {
  return size >= 4 ? static_cast<std::uint32_t>(value)
                   : static_cast<std::uint32_t>(value & ((1u << (8 * size)) - 1));
}

std::uint64_t ReadRip(uc_engine* uc) {
  std::uint64_t rip = 0;
  uc_reg_read(uc, UC_X86_REG_RIP, &rip);
  return rip;
}

}  // namespace

absl::Status UnicornError(absl::string_view operation, uc_err err) {
  return absl::InternalError(absl::StrCat("emulator: ", operation, " failed: ", uc_strerror(err)));
}

absl::StatusOr<std::unique_ptr<Engine>> Engine::Create() noexcept {
  uc_engine* uc = nullptr;
  if (const uc_err err = uc_open(UC_ARCH_X86, UC_MODE_64, &uc); err != UC_ERR_OK) {
    return UnicornError("uc_open", err);
  }
  std::unique_ptr<Engine> engine(new Engine(uc));
  // A run ends only when a hook asks (or on HLT and errors): with the exits mechanism enabled and
  // no exit address registered, uc_emu_start ignores its `until` argument, so no guest address is
  // special. (An `until` address would end a run that jumped there as if the guest had halted.)
  if (const uc_err err = uc_ctl_exits_enable(uc); err != UC_ERR_OK) {
    return UnicornError("uc_ctl_exits_enable", err);
  }
  VMB_RETURN_IF_ERROR(engine->InstallHooks());
  return engine;
}

Engine::~Engine() { uc_close(uc_); }

absl::Status Engine::InstallHooks() {
  // A range whose begin is above its end is Unicorn's "every address".
  constexpr std::uint64_t kEveryBegin = 1;
  constexpr std::uint64_t kEveryEnd = 0;
  uc_hook hook;
  // The code hook makes exits precise: Unicorn syncs RIP before calling it and checks for a stop
  // request right after it, so uc_emu_stop in any hook ends the run before the next instruction
  // with RIP exact. Without it a stop takes effect only at the end of the translated block (the
  // instructions after an OUT would still run). It also polls the interrupt flag, which makes
  // cross-thread interruption safe: uc_emu_stop is only ever called on the emulation thread
  // (Unicorn's stop is not thread-safe, unicorn#1355). It costs about 2x in straight-line code.
  if (const uc_err err = uc_hook_add(uc_, &hook, UC_HOOK_CODE, reinterpret_cast<void*>(&OnCode),
                                     this, kEveryBegin, kEveryEnd);
      err != UC_ERR_OK) {
    return UnicornError("uc_hook_add(UC_HOOK_CODE)", err);
  }
  if (const uc_err err =
          uc_hook_add(uc_, &hook, UC_HOOK_INSN, reinterpret_cast<void*>(&OnOut), this, kEveryBegin,
                      kEveryEnd, static_cast<int>(UC_X86_INS_OUT));
      err != UC_ERR_OK) {
    return UnicornError("uc_hook_add(UC_X86_INS_OUT)", err);
  }
  if (const uc_err err = uc_hook_add(uc_, &hook, UC_HOOK_INSN, reinterpret_cast<void*>(&OnIn), this,
                                     kEveryBegin, kEveryEnd, static_cast<int>(UC_X86_INS_IN));
      err != UC_ERR_OK) {
    return UnicornError("uc_hook_add(UC_X86_INS_IN)", err);
  }
  if (const uc_err err =
          uc_hook_add(uc_, &hook, UC_HOOK_INTR, reinterpret_cast<void*>(&OnInterrupt), this,
                      kEveryBegin, kEveryEnd);
      err != UC_ERR_OK) {
    return UnicornError("uc_hook_add(UC_HOOK_INTR)", err);
  }
  if (const uc_err err =
          uc_hook_add(uc_, &hook, UC_HOOK_MEM_UNMAPPED | UC_HOOK_MEM_WRITE_PROT,
                      reinterpret_cast<void*>(&OnInvalidMemory), this, kEveryBegin, kEveryEnd);
      err != UC_ERR_OK) {
    return UnicornError("uc_hook_add(UC_HOOK_MEM_UNMAPPED)", err);
  }
  return absl::OkStatus();
}

void Engine::OnCode(uc_engine* uc, std::uint64_t address, std::uint32_t /*size*/, void* user) {
  Engine* engine = EngineOf(user);
  // A relaxed load per instruction: only the flag itself is communicated, and the exchange
  // (a locked instruction) runs only once it is seen set.
  if (engine->event.kind == HookEvent::Kind::kNone &&
      engine->interrupt.load(std::memory_order_relaxed) &&
      engine->interrupt.exchange(false, std::memory_order_relaxed)) {
    engine->event.kind = HookEvent::Kind::kCancelled;
    engine->event.rip = address;
    uc_emu_stop(uc);
  }
}

void Engine::OnOut(uc_engine* uc, std::uint32_t port, int size, std::uint32_t value, void* user) {
  HookEvent& event = EngineOf(user)->event;
  if (event.kind != HookEvent::Kind::kNone) return;
  event.kind = HookEvent::Kind::kIoOut;
  event.port = static_cast<std::uint16_t>(port);
  event.size = static_cast<std::uint8_t>(size);
  event.io_value = MaskToSize(value, size);
  // The OUT itself has completed: the run stops before the next instruction, RIP after the OUT.
  uc_emu_stop(uc);
}

std::uint32_t Engine::OnIn(uc_engine* uc, std::uint32_t port, int size, void* user) {
  HookEvent& event = EngineOf(user)->event;
  if (event.kind == HookEvent::Kind::kNone) {
    event.kind = HookEvent::Kind::kIoIn;
    event.port = static_cast<std::uint16_t>(port);
    event.size = static_cast<std::uint8_t>(size);
    event.rip = ReadRip(uc);  // exact here, thanks to the code hook
    uc_emu_stop(uc);
  }
  return 0;
}

void Engine::OnInterrupt(uc_engine* uc, std::uint32_t vector, void* user) {
  HookEvent& event = EngineOf(user)->event;
  if (event.kind != HookEvent::Kind::kNone) return;
  event.kind = HookEvent::Kind::kException;
  event.vector = vector;
  // For faults RIP is still the faulting instruction; for traps and INT n Unicorn has already
  // moved it past the instruction, as the CPU would push it.
  event.rip = ReadRip(uc);
  uc_emu_stop(uc);
}

bool Engine::OnInvalidMemory(uc_engine* uc, uc_mem_type type, std::uint64_t address, int size,
                             std::int64_t value, void* user) {
  HookEvent& event = EngineOf(user)->event;
  if (event.kind == HookEvent::Kind::kNone) {
    event.kind = HookEvent::Kind::kMemory;
    event.memory_type = type;
    event.address = address;
    event.size = static_cast<std::uint8_t>(size);
    event.memory_value =
        size >= 8 ? static_cast<std::uint64_t>(value)
                  : static_cast<std::uint64_t>(value) & ((std::uint64_t{1} << (8 * size)) - 1);
    event.rip = ReadRip(uc);
  }
  // Not handled: Unicorn abandons the access and ends the run with UC_ERR_*_UNMAPPED or
  // UC_ERR_WRITE_PROT, RIP still at the accessing instruction.
  return false;
}

}  // namespace vmbench::emulator
