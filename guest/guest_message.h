/* A bounded text buffer for the error messages the guest returns to the host (the guest has no
 * printf). Text that does not fit is cut, never inside a UTF-8 sequence, and ends with "...".
 */
#ifndef VMBENCH_GUEST_GUEST_MESSAGE_H_
#define VMBENCH_GUEST_GUEST_MESSAGE_H_

#include <stdbool.h>
#include <stdint.h>

enum { kMessageCapacity = 1024 };

struct Message {
  uint32_t size;
  bool full;                   /* cut: further text is dropped */
  char text[kMessageCapacity]; /* not NUL-terminated */
};

/* Empties the message. */
void MessageClear(struct Message* message);

/* Appends a NUL-terminated string. */
void MessageAppend(struct Message* message, const char* text);

/* Appends `size` bytes as they are (for text that is already UTF-8, such as a host message). */
void MessageAppendBytes(struct Message* message, const uint8_t* data, uint64_t size);

/* Appends `size` bytes, each byte outside printable ASCII as '?' (for names from the host that
 * have not been validated as text). */
void MessageAppendPrintable(struct Message* message, const uint8_t* data, uint64_t size);

/* Appends a number in decimal. */
void MessageAppendU64(struct Message* message, uint64_t value);

/* Appends a number as 0x followed by hexadecimal digits. */
void MessageAppendHex(struct Message* message, uint64_t value);

/* The largest size <= `limit` at which `text` can be cut without splitting a UTF-8 sequence. */
uint32_t Utf8CutPoint(const char* text, uint32_t limit);

#endif /* VMBENCH_GUEST_GUEST_MESSAGE_H_ */
