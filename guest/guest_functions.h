/* The functions the vmbench guest offers to the host, and the host functions they call. */
#ifndef VMBENCH_GUEST_GUEST_FUNCTIONS_H_
#define VMBENCH_GUEST_GUEST_FUNCTIONS_H_

#include <stdint.h>

#include "guest_wire.h"

/* A buffer in guest memory that the guest may write. */
struct GuestBuffer {
  uint8_t* data;
  uint64_t size;
};

/* Runs the function `call` names and fills `result` (always: a status and a value or a
 * message). Functions that call the host write HOST_CALL records into `output` and read the
 * host's HOST_RESULT back from it; `result` never points into `output`, so the caller may
 * encode it there. Spin never returns. */
void FunctionsRun(const struct WireCall* call, struct GuestBuffer output,
                  struct WireResult* result);

#endif /* VMBENCH_GUEST_GUEST_FUNCTIONS_H_ */
