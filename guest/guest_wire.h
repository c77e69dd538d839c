/* The guest's side of the call wire format (docs/wire-format.md): decoding CALL and HOST_RESULT
 * records, encoding RESULT and HOST_CALL records.
 *
 * Decoders treat the buffer as untrusted: every length and count is checked against the bytes
 * left before it is used, tags and bool bytes are checked, and a record must be consumed
 * exactly. A failure appends one line naming the field and its offset to a Message, in the
 * style of the host's decoder: `call record: argument 1 (string) at offset 37: length 4096
 * exceeds the 12 bytes left`.
 */
#ifndef VMBENCH_GUEST_GUEST_WIRE_H_
#define VMBENCH_GUEST_GUEST_WIRE_H_

#include <stdbool.h>
#include <stdint.h>

#include "guest_message.h"
#include "vmbench/sandbox/guest_abi.h"

/* A run of bytes inside a record (or a string literal); not owned. */
struct WireBytes {
  const uint8_t* data;
  uint32_t size;
};

/* A WireBytes for a string literal, without its terminator. */
#define WIRE_LITERAL(text) ((struct WireBytes){(const uint8_t*)(text), sizeof(text) - 1})

/* One value. Scalars (i32 .. bool) keep their little-endian bits, zero-extended, in `scalar`;
 * string and bytes values point into the record they were decoded from, so they live as long as
 * that buffer is not rewritten. */
struct WireValue {
  uint8_t tag; /* enum vmb_value_tag */
  uint64_t scalar;
  struct WireBytes bytes;
};

/* A decoded CALL record. */
struct WireCall {
  struct WireBytes name; /* 1..VMB_WIRE_MAX_NAME bytes, not validated as UTF-8 */
  uint32_t arg_count;    /* at most VMB_WIRE_MAX_ARGS */
  struct WireValue args[VMB_WIRE_MAX_ARGS];
};

/* A decoded HOST_RESULT record: `value` when status is OK, `message` otherwise. */
struct WireHostResult {
  uint32_t status; /* enum vmb_status; any non-zero value is an error */
  struct WireValue value;
  struct WireBytes message;
};

/* What a guest function produced, to be encoded as a RESULT record: `value` when status is OK,
 * `message` otherwise. */
struct WireResult {
  uint32_t status; /* enum vmb_status */
  struct WireValue value;
  struct Message message;
};

/* Size of a RESULT header, status and message length: the smallest RESULT record. */
enum { kWireMinResultSize = VMB_WIRE_HEADER_SIZE + 4 + 4 };

/* "i32", "string", ...; "unknown" for a tag outside enum vmb_value_tag. */
const char* WireTagName(uint8_t tag);

/* "OK", "HOST_ERROR", ...; "unknown" for a status outside enum vmb_status. */
const char* WireStatusName(uint32_t status);

/* Decodes the CALL record at the start of `buffer` (`size` bytes). On failure appends the
 * reason to `error` and returns false. */
bool WireDecodeCall(const uint8_t* buffer, uint64_t size, struct WireCall* call,
                    struct Message* error);

/* Decodes the HOST_RESULT record at the start of `buffer` (`size` bytes). On failure appends
 * the reason to `error` and returns false. */
bool WireDecodeHostResult(const uint8_t* buffer, uint64_t size, struct WireHostResult* result,
                          struct Message* error);

/* Encodes `result` as a RESULT record at the start of `buffer` (`capacity` bytes). An error
 * message is cut to fit, so an error always fits when capacity >= kWireMinResultSize. A value
 * that does not fit is not written: the function stores the record size it needs in *needed and
 * returns false. */
bool WireEncodeResult(uint8_t* buffer, uint64_t capacity, const struct WireResult* result,
                      uint64_t* needed);

/* Encodes a HOST_CALL record for host function `name` with `count` arguments at the start of
 * `buffer`. When it does not fit, writes nothing, stores the size it needs in *needed and
 * returns false. */
bool WireEncodeHostCall(uint8_t* buffer, uint64_t capacity, struct WireBytes name,
                        const struct WireValue* args, uint32_t count, uint64_t* needed);

#endif /* VMBENCH_GUEST_GUEST_WIRE_H_ */
