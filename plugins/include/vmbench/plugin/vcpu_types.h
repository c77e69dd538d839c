// vmbench plugin SDK: the neutral x86-64 vCPU state and exits that every hypervisor backend
// converts its native structures to (kvm_regs, hv_register_value, WHV_REGISTER_VALUE, ...).
//
// Plain structures on the C++ standard library only, so that code which cannot link the rest of
// the SDK (the whp backend's Windows layer, cross-compiled without Abseil) can use them too.
// Included by vmbench/plugin/hypervisor.h, which declares the interfaces that use them.

#ifndef VMBENCH_PLUGIN_VCPU_TYPES_H_
#define VMBENCH_PLUGIN_VCPU_TYPES_H_

#include <cstdint>
#include <string>
#include <variant>

namespace vmbench {

// General-purpose registers of an x86-64 vCPU.
struct GeneralRegisters {
  std::uint64_t rax = 0, rbx = 0, rcx = 0, rdx = 0, rsi = 0, rdi = 0, rsp = 0, rbp = 0;
  std::uint64_t r8 = 0, r9 = 0, r10 = 0, r11 = 0, r12 = 0, r13 = 0, r14 = 0, r15 = 0;
  std::uint64_t rip = 0;
  std::uint64_t rflags = 0x2;  // bit 1 is reserved and always set
};

// A segment register in its hidden (descriptor cache) form.
struct Segment {
  std::uint64_t base = 0;
  std::uint32_t limit = 0;
  std::uint16_t selector = 0;
  std::uint8_t type = 0;  // the 4-bit type field of the descriptor
  bool present = false;
  std::uint8_t dpl = 0;
  bool db = false;  // default operation size (32-bit) for code, big for data
  bool s = false;   // code/data (true) or system (false)
  bool l = false;   // 64-bit code segment
  bool g = false;   // limit in 4 KiB units

  friend bool operator==(const Segment&, const Segment&) = default;
};

// A descriptor-table register (GDTR, IDTR).
struct DescriptorTable {
  std::uint64_t base = 0;
  std::uint16_t limit = 0;

  friend bool operator==(const DescriptorTable&, const DescriptorTable&) = default;
};

// Control and segment state of an x86-64 vCPU.
struct SpecialRegisters {
  Segment cs, ds, es, fs, gs, ss, tr, ldt;
  DescriptorTable gdt, idt;
  std::uint64_t cr0 = 0, cr2 = 0, cr3 = 0, cr4 = 0, cr8 = 0;
  std::uint64_t efer = 0;
  std::uint64_t apic_base = 0;

  friend bool operator==(const SpecialRegisters&, const SpecialRegisters&) = default;
};

// The guest executed `out` to an I/O port. `value` holds the low `size` bytes of the operand.
// The backend has already advanced RIP past the instruction, so running again resumes after it
// (and a snapshot taken here resumes there too).
struct IoOutExit {
  std::uint16_t port = 0;
  std::uint8_t size = 0;  // 1, 2 or 4
  std::uint32_t value = 0;
};

// The guest executed `hlt` (RIP points after it).
struct HaltExit {};

// Run was cancelled by Vcpu::Interrupt (or a signal), before or during guest execution.
struct CancelledExit {};

// The guest touched guest-physical memory that is not mapped (or wrote to a read-only mapping).
// The access has not completed; on some backends it completes only when Run is called again.
struct MmioExit {
  std::uint64_t gpa = 0;
  std::uint8_t size = 0;
  bool is_write = false;
  std::uint64_t value = 0;  // for writes
};

// The guest stopped in a way it cannot continue from: a triple fault / shutdown, an unhandled
// exception, an instruction the backend cannot emulate. `detail` says what, with RIP.
// Hardware backends deliver CPU exceptions to the guest's IDT (a guest without one triple-faults:
// kShutdown); the emulator never does, and reports every exception as kException with its
// vector and RIP (the faulting instruction for faults, the next one for traps and INT n).
struct FaultExit {
  enum class Kind { kShutdown, kException, kInternalError };
  Kind kind = Kind::kInternalError;
  std::uint8_t vector = 0;  // for kException
  std::uint64_t rip = 0;
  std::string detail;
};

// Why Vcpu::Run returned.
using VcpuExit = std::variant<IoOutExit, HaltExit, CancelledExit, MmioExit, FaultExit>;

// Whether a guest memory region may be written by the guest.
enum class MemoryAccess { kReadOnly, kReadWrite };

}  // namespace vmbench

#endif  // VMBENCH_PLUGIN_VCPU_TYPES_H_
