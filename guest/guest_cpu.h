/* CPU-level helpers of the vmbench guest: port output, halting, and the descriptor tables that
 * turn CPU exceptions into a vmb_fault_record and an `out` to VMB_PORT_FAULT.
 */
#ifndef VMBENCH_GUEST_GUEST_CPU_H_
#define VMBENCH_GUEST_GUEST_CPU_H_

#include <stdint.h>
#include <stdnoreturn.h>

/* Writes a 4-byte value to an I/O port with `out dx, eax`: a single, non-string I/O instruction
 * that every backend reports as a port-out exit (reference/backends.md section 0). The memory
 * clobber makes the compiler finish every store before the host looks at guest memory, and
 * reload memory afterwards, because the host may write records while the vCPU is stopped. */
static inline void CpuOut32(uint16_t port, uint32_t value) {
  __asm__ volatile("outl %0, %w1" : : "a"(value), "Nd"(port) : "memory");
}

/* Stops the vCPU for good. Interrupts are off (RFLAGS.IF = 0 from the host), so `hlt` does not
 * resume; the loop covers an NMI or a host that resumes the vCPU anyway. */
static inline noreturn void CpuHalt(void) {
  for (;;) {
    __asm__ volatile("hlt" : : : "memory");
  }
}

/* Loads the guest's GDT (null, 64-bit code 0x08, data 0x10), reloads every segment register
 * from it, and loads an IDT whose vectors 0..31 report the exception to the host. Called once,
 * first thing in init, so that a fault anywhere after it is diagnosable. */
void CpuInstallDescriptorTables(void);

/* Called at the start of each dispatch: the host may go on calling the guest after a fault
 * (without restoring a snapshot), and the next exception must be reported in full again. */
void CpuResetExceptionState(void);

#endif /* VMBENCH_GUEST_GUEST_CPU_H_ */
