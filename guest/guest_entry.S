/* Entry points of the vmbench guest and its exception stubs (AT&T syntax).
 *
 * The host starts the vCPU at vmb_init_entry or vmb_dispatch_entry (their addresses are in the
 * image header) with RSP = vmb_boot_info.stack_top, which is 16-byte aligned. A C function
 * expects RSP to be 16-byte aligned *before* the `call` that pushed its return address (System
 * V AMD64 ABI, 3.2.2), so these stubs `call` into C straight away: the push of the return
 * address is what makes the alignment right. They also clear RBP (the end of a frame-pointer
 * chain) and the direction flag (the ABI requires DF = 0 at every call).
 *
 * The C functions end the entry themselves (`out` to the host, then `hlt`); the `hlt` loops
 * here only catch a return that should never happen.
 *
 * No constant from guest_abi.h is needed here, so this file does not include it: the header
 * holds C declarations that an assembler cannot read.
 */

  .text

/* void vmb_init_entry(const struct vmb_boot_info* info), RDI = info. */
  .globl vmb_init_entry
  .type vmb_init_entry, @function
  .p2align 4
vmb_init_entry:
  cld
  xorl %ebp, %ebp
  /* Zero .bss before any C code runs: objcopy leaves it out of the flat image, so its contents
   * are whatever the host mapped there. `rep stosb` is a string store, not string I/O, so every
   * backend runs it natively. RDI carries the boot info, so keep it in R8 meanwhile. */
  movq %rdi, %r8
  leaq vmb_bss_start(%rip), %rdi
  leaq vmb_bss_end(%rip), %rcx
  subq %rdi, %rcx
  xorl %eax, %eax
  rep stosb
  movq %r8, %rdi
  call GuestInit
1:
  hlt
  jmp 1b
  .size vmb_init_entry, . - vmb_init_entry

/* void vmb_dispatch_entry(void): the call record is in the input buffer. */
  .globl vmb_dispatch_entry
  .type vmb_dispatch_entry, @function
  .p2align 4
vmb_dispatch_entry:
  cld
  xorl %ebp, %ebp
  call GuestDispatch
1:
  hlt
  jmp 1b
  .size vmb_dispatch_entry, . - vmb_dispatch_entry

/* Exception stubs, one per vector 0..31, installed in the IDT by guest_cpu.c.
 *
 * The CPU pushes SS, RSP, RFLAGS, CS, RIP and, for some vectors only, an error code (Intel SDM
 * vol. 3A, 6.14.2 and table 6-1; AMD APM vol. 2, 8.2). Stubs of vectors without one push a 0 in
 * its place, then every stub pushes its vector, so the common code sees one layout,
 * struct ExceptionFrame in guest_cpu.c: vector, error code, RIP, CS, RFLAGS, RSP, SS. */
.macro EXCEPTION_STUB vector, pushes_error_code
  .p2align 4
vmb_exception_\vector:
  .if \pushes_error_code == 0
  pushq $0
  .endif
  pushq $\vector
  jmp vmb_exception_common
.endm

  EXCEPTION_STUB 0, 0   /* #DE divide error */
  EXCEPTION_STUB 1, 0   /* #DB debug */
  EXCEPTION_STUB 2, 0   /* NMI */
  EXCEPTION_STUB 3, 0   /* #BP breakpoint */
  EXCEPTION_STUB 4, 0   /* #OF overflow */
  EXCEPTION_STUB 5, 0   /* #BR bound range */
  EXCEPTION_STUB 6, 0   /* #UD invalid opcode */
  EXCEPTION_STUB 7, 0   /* #NM device not available */
  EXCEPTION_STUB 8, 1   /* #DF double fault (error code 0) */
  EXCEPTION_STUB 9, 0   /* coprocessor segment overrun (reserved) */
  EXCEPTION_STUB 10, 1  /* #TS invalid TSS */
  EXCEPTION_STUB 11, 1  /* #NP segment not present */
  EXCEPTION_STUB 12, 1  /* #SS stack fault */
  EXCEPTION_STUB 13, 1  /* #GP general protection */
  EXCEPTION_STUB 14, 1  /* #PF page fault */
  EXCEPTION_STUB 15, 0  /* reserved */
  EXCEPTION_STUB 16, 0  /* #MF x87 floating point */
  EXCEPTION_STUB 17, 1  /* #AC alignment check */
  EXCEPTION_STUB 18, 0  /* #MC machine check */
  EXCEPTION_STUB 19, 0  /* #XM SIMD floating point */
  EXCEPTION_STUB 20, 0  /* #VE virtualization exception */
  EXCEPTION_STUB 21, 1  /* #CP control protection */
  EXCEPTION_STUB 22, 0  /* reserved */
  EXCEPTION_STUB 23, 0  /* reserved */
  EXCEPTION_STUB 24, 0  /* reserved */
  EXCEPTION_STUB 25, 0  /* reserved */
  EXCEPTION_STUB 26, 0  /* reserved */
  EXCEPTION_STUB 27, 0  /* reserved */
  EXCEPTION_STUB 28, 0  /* #HV hypervisor injection (AMD) */
  EXCEPTION_STUB 29, 1  /* #VC VMM communication (AMD) */
  EXCEPTION_STUB 30, 1  /* #SX security (AMD) */
  EXCEPTION_STUB 31, 0  /* reserved */

  .type vmb_exception_common, @function
  .p2align 4
vmb_exception_common:
  cld
  movq %rsp, %rdi /* const struct ExceptionFrame* */
  /* In 64-bit mode the CPU aligns RSP to 16 bytes before pushing its frame, but the stub's
   * pushes leave it 8 bytes off; align again for the call. The handler never returns. */
  andq $-16, %rsp
  call GuestHandleException
1:
  hlt
  jmp 1b
  .size vmb_exception_common, . - vmb_exception_common

/* uint64_t vmb_exception_stubs[32]: the stub of each vector, for the IDT. */
  .section .rodata
  .globl vmb_exception_stubs
  .type vmb_exception_stubs, @object
  .p2align 3
vmb_exception_stubs:
  .irp vector, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
  .quad vmb_exception_\vector
  .endr
  .size vmb_exception_stubs, . - vmb_exception_stubs

/* The stack is never executable; without this note ld assumes it is and warns. */
  .section .note.GNU-stack, "", @progbits
