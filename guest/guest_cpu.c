/* GDT, IDT and the exception handler of the vmbench guest. */
#include "guest_cpu.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "guest_symbols.h"
#include "vmbench/sandbox/guest_abi.h"

/* The host loads CS = 0x08 and DS/ES/SS = 0x10 with hidden state only (reference/backends.md
 * section 0). Exception delivery reloads CS from the IDT gate's selector out of the GDT, so
 * the GDT in memory must hold the same descriptors. */
enum { kCodeSelector = 0x08, kDataSelector = 0x10 };

/* Descriptors (Intel SDM vol. 3A, 3.4.5). The accessed bit is preset so that the CPU never
 * writes to the table (a write would dirty the page in every snapshot).
 *   code: base 0, limit 0xFFFFF, G=1, L=1, D=0, P=1, DPL 0, S=1, type 0xB (execute/read, accessed)
 *   data: base 0, limit 0xFFFFF, G=1, D/B=1, P=1, DPL 0, S=1, type 0x3 (read/write, accessed) */
static const uint64_t kGdt[3] __attribute__((aligned(16))) = {
    0,
    0x00AF9B000000FFFFull,
    0x00CF93000000FFFFull,
};

/* The operand of lgdt and lidt: a 2-byte limit, then an 8-byte base. */
struct __attribute__((packed)) DescriptorTableRegister {
  uint16_t limit;
  uint64_t base;
};

/* A 64-bit interrupt gate (Intel SDM vol. 3A, 6.14.1). */
struct IdtGate {
  uint16_t offset_low;
  uint16_t selector;
  uint8_t ist;       /* 0: stay on the current stack */
  uint8_t type_attr; /* 0x8E: present, DPL 0, 64-bit interrupt gate */
  uint16_t offset_mid;
  uint32_t offset_high;
  uint32_t reserved;
};
_Static_assert(sizeof(struct IdtGate) == 16, "an IDT gate is 16 bytes");

enum { kExceptionVectors = 32 };

static struct IdtGate g_idt[kExceptionVectors] __attribute__((aligned(16)));

/* What the stubs in guest_entry.S leave on the stack, lowest address first. */
struct ExceptionFrame {
  uint64_t vector;     /* pushed by the stub */
  uint64_t error_code; /* pushed by the CPU, or 0 pushed by the stub */
  uint64_t rip;        /* the rest is the CPU's interrupt frame */
  uint64_t cs;
  uint64_t rflags;
  uint64_t rsp;
  uint64_t ss;
};

void CpuInstallDescriptorTables(void) {
  const struct DescriptorTableRegister gdtr = {sizeof(kGdt) - 1, (uint64_t)(uintptr_t)kGdt};
  /* Reload the data segments, then CS with a far return (the only way to load CS in 64-bit
   * mode without a call gate), so that a wrong descriptor fails here, at a known place, and
   * not later inside an exception. */
  __asm__ volatile(
      "lgdt %[gdtr]\n\t"
      "mov %w[data], %%ds\n\t"
      "mov %w[data], %%es\n\t"
      "mov %w[data], %%fs\n\t"
      "mov %w[data], %%gs\n\t"
      "mov %w[data], %%ss\n\t"
      "pushq %[code]\n\t"
      "leaq 1f(%%rip), %%rax\n\t"
      "pushq %%rax\n\t"
      "lretq\n"
      "1:"
      :
      : [gdtr] "m"(gdtr), [data] "r"((uint32_t)kDataSelector), [code] "i"(kCodeSelector)
      : "rax", "memory");

  for (int vector = 0; vector < kExceptionVectors; ++vector) {
    const uint64_t stub = vmb_exception_stubs[vector];
    g_idt[vector] = (struct IdtGate){
        .offset_low = (uint16_t)stub,
        .selector = kCodeSelector,
        .ist = 0,
        .type_attr = 0x8E,
        .offset_mid = (uint16_t)(stub >> 16),
        .offset_high = (uint32_t)(stub >> 32),
        .reserved = 0,
    };
  }
  const struct DescriptorTableRegister idtr = {sizeof(g_idt) - 1, (uint64_t)(uintptr_t)g_idt};
  __asm__ volatile("lidt %0" : : "m"(idtr) : "memory");
}

static uint64_t ReadCr2(void) {
  uint64_t cr2;
  __asm__ volatile("movq %%cr2, %0" : "=r"(cr2));
  return cr2;
}

/* Set while the handler writes the fault record: a fault inside the handler (a host that does
 * not map the record's page) would otherwise re-enter it until the stack runs out. */
static bool g_handling_exception;

void CpuResetExceptionState(void) { g_handling_exception = false; }

noreturn void GuestHandleException(const struct ExceptionFrame* frame) {
  /* The second time, report the vector without touching the fault record. */
  if (!g_handling_exception) {
    g_handling_exception = true;
    volatile struct vmb_fault_record* record =
        (volatile struct vmb_fault_record*)(uintptr_t)VMB_FAULT_RECORD_GPA;
    record->vector = frame->vector;
    record->error_code = frame->error_code;
    record->rip = frame->rip;
    record->cr2 = ReadCr2();
  }
  CpuOut32(VMB_PORT_FAULT, (uint32_t)frame->vector);
  CpuHalt();
}
