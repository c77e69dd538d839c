/* The two entries the host calls: init (once, after loading the image) and dispatch (once per
 * guest call). Both end with `out VMB_PORT_DONE` and `hlt`. */
#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "guest_cpu.h"
#include "guest_functions.h"
#include "guest_message.h"
#include "guest_symbols.h"
#include "guest_wire.h"
#include "vmbench/sandbox/guest_abi.h"

/* The smallest output buffer init accepts: room for a RESULT with a useful error message. */
enum { kMinOutputSize = 256 };

/* The identity map covers at most VMB_MAX_PAGE_DIRECTORIES GiB. */
static const uint64_t kMappedLimit = VMB_MAX_PAGE_DIRECTORIES << 30;

/* Copied from the host's vmb_boot_info by init; valid once `g_booted` is set. */
static struct vmb_boot_info g_boot;
static bool g_booted;

/* About 2 KiB together: kept off the stack, whose size the host chooses. Only one call runs at
 * a time. */
static struct WireCall g_call;
static struct WireResult g_result;

/* A range the guest may use: above the image and its .bss, inside the identity map, and not
 * wrapping around. */
static bool RangeIsUsable(uint64_t gpa, uint64_t size) {
  return gpa >= (uint64_t)(uintptr_t)vmb_image_end && size <= kMappedLimit &&
         gpa <= kMappedLimit - size;
}

/* For ranges RangeIsUsable accepted (so the sums cannot overflow). */
static bool RangesOverlap(uint64_t a, uint64_t a_size, uint64_t b, uint64_t b_size) {
  return a < b + b_size && b < a + a_size;
}

/* The host is trusted to run the guest, but a wrong boot info would make the guest write over
 * itself, so init checks it before using it. */
static bool BootInfoIsValid(const struct vmb_boot_info* info) {
  return info->magic == VMB_BOOT_INFO_MAGIC && info->abi_version == VMB_GUEST_ABI_VERSION &&
         RangeIsUsable(info->input_gpa, info->input_size) &&
         RangeIsUsable(info->output_gpa, info->output_size) &&
         RangeIsUsable(info->heap_gpa, info->heap_size) &&
         info->input_size >= VMB_WIRE_HEADER_SIZE && info->output_size >= kMinOutputSize &&
         !RangesOverlap(info->input_gpa, info->input_size, info->output_gpa, info->output_size) &&
         !RangesOverlap(info->heap_gpa, info->heap_size, info->input_gpa, info->input_size) &&
         !RangesOverlap(info->heap_gpa, info->heap_size, info->output_gpa, info->output_size) &&
         info->stack_top % 16 == 0 && RangeIsUsable(info->stack_top, 0);
}

noreturn void GuestInit(const struct vmb_boot_info* info) {
  CpuInstallDescriptorTables();
  /* The ABI has no way to report a bad boot info, so init halts without signalling done: the
   * host sees a halt where it expects an `out` to VMB_PORT_DONE. */
  if (!BootInfoIsValid(info)) CpuHalt();
  g_boot = *info;
  g_booted = true;
  CpuOut32(VMB_PORT_DONE, 0);
  CpuHalt();
}

noreturn void GuestDispatch(void) {
  /* Without init there are no buffers to answer in. */
  if (!g_booted) CpuHalt();
  CpuResetExceptionState();

  const uint8_t* input = (const uint8_t*)(uintptr_t)g_boot.input_gpa;
  const struct GuestBuffer output = {(uint8_t*)(uintptr_t)g_boot.output_gpa, g_boot.output_size};
  struct WireResult* result = &g_result;
  MessageClear(&result->message);
  if (WireDecodeCall(input, g_boot.input_size, &g_call, &result->message)) {
    FunctionsRun(&g_call, output, result);
  } else {
    result->status = VMB_STATUS_MALFORMED;
  }

  uint64_t needed;
  if (!WireEncodeResult(output.data, output.size, result, &needed)) {
    /* Only a return value can fail to fit; an error message is cut to fit. */
    result->status = VMB_STATUS_NO_SPACE;
    MessageClear(&result->message);
    MessageAppendPrintable(&result->message, g_call.name.data, g_call.name.size);
    MessageAppend(&result->message, ": the result needs ");
    MessageAppendU64(&result->message, needed);
    MessageAppend(&result->message, " bytes, the output buffer holds ");
    MessageAppendU64(&result->message, output.size);
    WireEncodeResult(output.data, output.size, result, &needed);
  }
  CpuOut32(VMB_PORT_DONE, 0);
  CpuHalt();
}
