#include "emulator_vm.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "emulator_vcpu.h"
#include "vmbench/plugin/status_macros.h"

namespace vmbench::emulator {
namespace {

constexpr std::uint64_t kPageSize = 0x1000;

std::string DescribeRange(std::uint64_t begin, std::uint64_t end) {
  return absl::StrCat("[0x", absl::Hex(begin), ",0x", absl::Hex(end), ")");
}

}  // namespace

absl::StatusOr<std::unique_ptr<EmulatorVm>> EmulatorVm::Create() noexcept {
  VMB_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, Engine::Create());
  return std::unique_ptr<EmulatorVm>(new EmulatorVm(std::move(engine)));
}

absl::Status EmulatorVm::MapMemory(std::uint32_t slot, std::uint64_t gpa, void* host,
                                   std::size_t size, MemoryAccess access) noexcept {
  const std::uint64_t end = gpa + size;
  if (host == nullptr || size == 0 || gpa % kPageSize != 0 || size % kPageSize != 0 ||
      reinterpret_cast<std::uintptr_t>(host) % kPageSize != 0 || end < gpa) {
    return absl::InvalidArgumentError(absl::StrCat(
        "emulator: MapMemory slot ", slot, ": guest-physical address 0x", absl::Hex(gpa),
        ", host address 0x", absl::Hex(reinterpret_cast<std::uintptr_t>(host)), " and size 0x",
        absl::Hex(size),
        " must be 4 KiB-aligned, non-null and non-empty, and must not wrap around"));
  }
  if (const auto it = slots_.find(slot); it != slots_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("emulator: MapMemory slot ", slot, ": the slot is already mapped at ",
                     DescribeRange(it->second.gpa, it->second.gpa + it->second.size)));
  }
  for (const auto& [other, mapped] : slots_) {
    if (gpa < mapped.gpa + mapped.size && mapped.gpa < end) {
      return absl::InvalidArgumentError(absl::StrCat(
          "emulator: MapMemory slot ", slot, " ", DescribeRange(gpa, end), " overlaps slot ", other,
          " ", DescribeRange(mapped.gpa, mapped.gpa + mapped.size)));
    }
  }
  // Read-only memory stays executable: the guest's code may live there.
  const std::uint32_t perms =
      access == MemoryAccess::kReadOnly ? (UC_PROT_READ | UC_PROT_EXEC) : UC_PROT_ALL;
  if (const uc_err err = uc_mem_map_ptr(engine_->uc(), gpa, size, perms, host); err != UC_ERR_OK) {
    return UnicornError(absl::StrCat("MapMemory slot ", slot, ": uc_mem_map_ptr"), err);
  }
  slots_[slot] = Slot{gpa, size, nullptr};
  return absl::OkStatus();
}

absl::Status EmulatorVm::UnmapMemory(std::uint32_t slot) noexcept {
  const auto it = slots_.find(slot);
  if (it == slots_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("emulator: UnmapMemory slot ", slot, ": the slot is not mapped"));
  }
  Slot& mapped = it->second;
  // The hook goes first: its log may only be freed once Unicorn no longer calls it. Tracking ends
  // with the mapping, even should unmapping then fail.
  if (mapped.dirty != nullptr) {
    if (const uc_err err = uc_hook_del(engine_->uc(), mapped.dirty->hook); err != UC_ERR_OK) {
      return UnicornError(absl::StrCat("UnmapMemory slot ", slot, ": uc_hook_del"), err);
    }
    mapped.dirty.reset();
  }
  if (const uc_err err = uc_mem_unmap(engine_->uc(), mapped.gpa, mapped.size); err != UC_ERR_OK) {
    return UnicornError(absl::StrCat("UnmapMemory slot ", slot, ": uc_mem_unmap"), err);
  }
  slots_.erase(it);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Vcpu>> EmulatorVm::CreateVcpu(std::uint32_t index) noexcept {
  if (index != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "emulator: CreateVcpu(", index, "): the emulator runs one vCPU per VM, index 0"));
  }
  if (has_vcpu_) {
    return absl::FailedPreconditionError(
        "emulator: CreateVcpu(0): vCPU 0 of this VM already exists (one vCPU per VM)");
  }
  has_vcpu_ = true;
  return std::unique_ptr<Vcpu>(std::make_unique<EmulatorVcpu>(*this));
}

absl::Status EmulatorVm::EnableDirtyTracking(std::uint32_t slot) noexcept {
  const auto it = slots_.find(slot);
  if (it == slots_.end()) {
    return absl::InvalidArgumentError(
        absl::StrCat("emulator: EnableDirtyTracking slot ", slot, ": the slot is not mapped"));
  }
  Slot& mapped = it->second;
  if (mapped.dirty != nullptr) return absl::OkStatus();
  auto log = std::make_unique<DirtyLog>();
  log->begin = mapped.gpa;
  log->end = mapped.gpa + mapped.size;
  log->words.resize((mapped.size / kPageSize + 63) / 64);
  // Added now, not when the VM was created, and still complete: Unicorn 2.0.1 stubs out QEMU's
  // dirty-memory bitmap (cpu_physical_memory_is_clean() is always true, include/exec/ram_addr.h),
  // so every writable TLB entry is marked NOTDIRTY and every guest store goes through the store
  // helper that calls write hooks, also in blocks translated before the hook existed (the
  // DirtyTracking conformance check runs the code once before tracking starts). The hook's range
  // starts 7 bytes early for a store that begins before the slot and reaches into it. Blocks
  // translated while a memory hook exists also send their loads through the slow path (18% slower
  // on a store-and-load loop, measured), which is why untracked VMs get no hook at all.
  const std::uint64_t hook_begin = log->begin >= 7 ? log->begin - 7 : 0;
  if (const uc_err err =
          uc_hook_add(engine_->uc(), &log->hook, UC_HOOK_MEM_WRITE,
                      reinterpret_cast<void*>(&OnWrite), log.get(), hook_begin, log->end - 1);
      err != UC_ERR_OK) {
    return UnicornError(absl::StrCat("EnableDirtyTracking slot ", slot, ": uc_hook_add"), err);
  }
  mapped.dirty = std::move(log);
  return absl::OkStatus();
}

void EmulatorVm::OnWrite(uc_engine* /*uc*/, uc_mem_type /*type*/, std::uint64_t address, int size,
                         std::int64_t /*value*/, void* user) {
  // Called before the store, also for a store that then faults: a page may be reported dirty
  // that was not written, never the other way round. Unicorn 2.0.1 passes the guest-virtual
  // address, which is the guest-physical one because it only runs identity-mapped guests (see
  // README.md).
  DirtyLog& log = *static_cast<DirtyLog*>(user);
  const std::uint64_t end = address + static_cast<std::uint64_t>(size);
  if (address >= log.end || end <= log.begin) return;
  const std::uint64_t first = (std::max(address, log.begin) - log.begin) / kPageSize;
  const std::uint64_t last = (std::min(end, log.end) - 1 - log.begin) / kPageSize;
  for (std::uint64_t page = first; page <= last; ++page) {
    log.words[page / 64] |= std::uint64_t{1} << (page % 64);
  }
}

absl::StatusOr<std::vector<std::uint64_t>> EmulatorVm::TakeDirtyPages(std::uint32_t slot) noexcept {
  const auto it = slots_.find(slot);
  if (it == slots_.end() || it->second.dirty == nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "emulator: TakeDirtyPages slot ", slot, ": dirty tracking is not enabled for the slot"));
  }
  DirtyLog& log = *it->second.dirty;
  std::vector<std::uint64_t> dirty(log.words.size());
  dirty.swap(log.words);

  // The caller is about to restore these pages from a snapshot. Any of them the guest wrote and
  // then executed has translations of the written code, which would outlive the restore, so
  // drop them; runs of consecutive pages are dropped in one call.
  // Runs of dirty pages are found word by word, so the cost follows the dirty pages, not the
  // size of the slot (a 256 MiB slot has 1,024 words to test, and 65,536 pages).
  std::uint64_t run_start = 0, run_end = 0;
  for (std::size_t word = 0; word < dirty.size(); ++word) {
    for (std::uint64_t bits = dirty[word]; bits != 0; bits &= bits - 1) {
      const std::uint64_t page = word * 64 + static_cast<std::uint64_t>(std::countr_zero(bits));
      if (page == run_end && run_end != run_start) {
        ++run_end;
        continue;
      }
      if (run_end != run_start) {
        VMB_RETURN_IF_ERROR(
            FlushTranslations(log.begin + run_start * kPageSize, log.begin + run_end * kPageSize));
      }
      run_start = page;
      run_end = page + 1;
    }
  }
  if (run_end != run_start) {
    VMB_RETURN_IF_ERROR(
        FlushTranslations(log.begin + run_start * kPageSize, log.begin + run_end * kPageSize));
  }
  return dirty;
}

absl::Status EmulatorVm::FlushTranslations(std::uint64_t begin, std::uint64_t end) {
  // Unicorn translates `begin` to its internal RAM offset and drops every translation whose code
  // lies in the next end - begin bytes of RAM, which is [begin, end) because a slot is one
  // contiguous RAM block. A few microseconds per call, against tens to hundreds of milliseconds
  // for a full flush (uc_ctl_flush_tlb, misnamed in 2.0.1: it drops every translation, and does
  // not touch the TLB).
  if (const uc_err err = uc_ctl_remove_cache(engine_->uc(), begin, end); err != UC_ERR_OK) {
    return UnicornError(
        absl::StrCat("TakeDirtyPages: uc_ctl_remove_cache ", DescribeRange(begin, end)), err);
  }
  return absl::OkStatus();
}

absl::Status EmulatorVm::FlushTlb() noexcept {
  // The lowest page-aligned guest-physical address that no slot covers.
  std::uint64_t scratch = 0;
  for (bool moved = true; moved;) {
    moved = false;
    for (const auto& [slot, mapped] : slots_) {
      if (scratch >= mapped.gpa && scratch < mapped.gpa + mapped.size) {
        scratch = mapped.gpa + mapped.size;
        moved = true;
      }
    }
  }
  // Never read or written: it is unmapped before the guest runs again.
  alignas(kPageSize) static std::uint8_t page[kPageSize];
  if (const uc_err err = uc_mem_map_ptr(engine_->uc(), scratch, kPageSize, UC_PROT_READ, page);
      err != UC_ERR_OK) {
    return UnicornError("TLB flush: uc_mem_map_ptr", err);
  }
  if (const uc_err err = uc_mem_unmap(engine_->uc(), scratch, kPageSize); err != UC_ERR_OK) {
    return UnicornError("TLB flush: uc_mem_unmap", err);
  }
  return absl::OkStatus();
}

}  // namespace vmbench::emulator
