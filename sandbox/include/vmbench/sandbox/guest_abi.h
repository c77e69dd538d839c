/* The contract between the vmbench guest (freestanding C) and the host sandbox runtime (C++).
 *
 * This header is plain C so that both sides include the same numbers. It fixes the
 * guest-physical memory layout, the I/O ports the guest uses to signal the host, the image
 * header the host reads to find the guest's entry points, and the constants of the call wire
 * format (docs/wire-format.md describes the records). Everything the guest writes is untrusted:
 * the host validates it before use.
 *
 * Guest-physical memory is one region starting at GPA 0, identity mapped (GVA == GPA) with
 * 2 MiB pages:
 *
 *   0x0000  unused (so that a null pointer in the guest is never a valid record)
 *   0x1000  PML4                 (written by the host)
 *   0x2000  PDPT                 (written by the host)
 *   0x3000  page directories     (up to VMB_MAX_PAGE_DIRECTORIES pages, one per GiB)
 *   0x7000  struct vmb_boot_info (written by the host before init)
 *   0x8000  struct vmb_fault_record (written by the guest's exception handlers)
 *   0x10000 the guest image, then its .bss, up to VMB_IMAGE_LIMIT
 *   0x100000 stack, input buffer, output buffer, heap (sizes chosen by the host, addresses
 *           given to the guest in vmb_boot_info)
 */
#ifndef VMBENCH_SANDBOX_GUEST_ABI_H_
#define VMBENCH_SANDBOX_GUEST_ABI_H_

#include <stdint.h>

#define VMB_GUEST_ABI_VERSION 1u

/* Guest-physical layout. */
#define VMB_PAGE_SIZE 0x1000ull
#define VMB_PML4_GPA 0x1000ull
#define VMB_PDPT_GPA 0x2000ull
#define VMB_PAGE_DIRECTORY_GPA 0x3000ull
#define VMB_MAX_PAGE_DIRECTORIES 4ull /* so at most 4 GiB of guest memory */
#define VMB_BOOT_INFO_GPA 0x7000ull
#define VMB_FAULT_RECORD_GPA 0x8000ull
#define VMB_IMAGE_GPA 0x10000ull
#define VMB_IMAGE_LIMIT 0x100000ull /* the image and its .bss end at or below this GPA */

/* I/O ports (`out dx, eax` with a 4-byte value). */
#define VMB_PORT_DONE 0x100u      /* init or call finished; the result is in the output buffer */
#define VMB_PORT_HOST_CALL 0x101u /* host-call record in the output buffer; answered there */
#define VMB_PORT_FAULT 0x102u     /* CPU exception; value = vector; details in vmb_fault_record */

/* First bytes of the image (section .vmb_header). Addresses are guest-physical. */
#define VMB_IMAGE_MAGIC 0x47424D56u /* "VMBG" */
struct vmb_image_header {
  uint32_t magic;
  uint32_t abi_version;
  uint64_t init_entry;     /* called once: void init(const struct vmb_boot_info*), RDI = info */
  uint64_t dispatch_entry; /* called per guest call: reads the call record in the input buffer */
  uint64_t image_end;      /* first GPA after .bss */
};

/* Written by the host at VMB_BOOT_INFO_GPA before init. */
#define VMB_BOOT_INFO_MAGIC 0x49424D56u /* "VMBI" */
struct vmb_boot_info {
  uint32_t magic;
  uint32_t abi_version;
  uint64_t input_gpa, input_size;   /* call records from the host */
  uint64_t output_gpa, output_size; /* result and host-call records from the guest */
  uint64_t heap_gpa, heap_size;
  uint64_t stack_top; /* 16-byte aligned; RSP at each entry */
};

/* Written by the guest's exception handlers before `out VMB_PORT_FAULT`. */
struct vmb_fault_record {
  uint64_t vector;
  uint64_t error_code; /* 0 for exceptions without one */
  uint64_t rip;
  uint64_t cr2; /* the faulting address for #PF */
};

/* Wire format (docs/wire-format.md). All integers little-endian, no padding, no alignment. */
#define VMB_WIRE_MAGIC 0x57424D56u /* "VMBW" */
#define VMB_WIRE_VERSION 1u
#define VMB_WIRE_HEADER_SIZE 16u /* u32 magic, u16 version, u16 kind, u32 payload_size, u32 0 */
#define VMB_WIRE_MAX_NAME 256u   /* bytes in a function name */
#define VMB_WIRE_MAX_ARGS 32u    /* arguments in one call */

enum vmb_record_kind {
  VMB_RECORD_CALL = 1,        /* host -> guest: name, arguments */
  VMB_RECORD_RESULT = 2,      /* guest -> host: status, then a value or an error message */
  VMB_RECORD_HOST_CALL = 3,   /* guest -> host: name, arguments */
  VMB_RECORD_HOST_RESULT = 4, /* host -> guest: status, then a value or an error message */
};

enum vmb_value_tag {
  VMB_VALUE_VOID = 0, /* return values only */
  VMB_VALUE_I32 = 1,
  VMB_VALUE_U32 = 2,
  VMB_VALUE_I64 = 3,
  VMB_VALUE_U64 = 4,
  VMB_VALUE_F32 = 5,
  VMB_VALUE_F64 = 6,
  VMB_VALUE_BOOL = 7,   /* one byte, 0 or 1 */
  VMB_VALUE_STRING = 8, /* u32 length, then the bytes (UTF-8, no terminator) */
  VMB_VALUE_BYTES = 9,  /* u32 length, then the bytes */
};

enum vmb_status {
  VMB_STATUS_OK = 0,
  VMB_STATUS_UNKNOWN_FUNCTION = 1,
  VMB_STATUS_BAD_ARGUMENTS = 2, /* wrong number or types of arguments */
  VMB_STATUS_MALFORMED = 3,     /* the record could not be decoded */
  VMB_STATUS_NO_SPACE = 4,      /* the answer does not fit its buffer */
  VMB_STATUS_HOST_ERROR = 5,    /* a host function failed */
};

#endif /* VMBENCH_SANDBOX_GUEST_ABI_H_ */
