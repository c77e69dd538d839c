/* Bounded message building. */
#include "guest_message.h"

#include <stdint.h>

void MessageClear(struct Message* message) {
  message->size = 0;
  message->full = false;
}

uint32_t Utf8CutPoint(const char* text, uint32_t limit) {
  /* Back up over continuation bytes (10xxxxxx) to the byte that starts the sequence. */
  uint32_t cut = limit;
  while (cut > 0 && ((uint8_t)text[cut] & 0xC0) == 0x80) --cut;
  return cut;
}

static void AppendChar(struct Message* message, char c) {
  if (message->full) return;
  if (message->size < kMessageCapacity) {
    message->text[message->size++] = c;
    return;
  }
  /* Full: end with "..." so that a reader knows the text goes on, and keep the text valid UTF-8
   * (the host may check). */
  const uint32_t cut = Utf8CutPoint(message->text, kMessageCapacity - 3);
  message->text[cut] = '.';
  message->text[cut + 1] = '.';
  message->text[cut + 2] = '.';
  message->size = cut + 3;
  message->full = true;
}

void MessageAppend(struct Message* message, const char* text) {
  for (; *text != '\0'; ++text) AppendChar(message, *text);
}

void MessageAppendBytes(struct Message* message, const uint8_t* data, uint64_t size) {
  for (uint64_t i = 0; i < size; ++i) AppendChar(message, (char)data[i]);
}

void MessageAppendPrintable(struct Message* message, const uint8_t* data, uint64_t size) {
  for (uint64_t i = 0; i < size; ++i) {
    const uint8_t c = data[i];
    AppendChar(message, c >= 0x20 && c < 0x7F ? (char)c : '?');
  }
}

void MessageAppendU64(struct Message* message, uint64_t value) {
  char digits[20];
  int count = 0;
  do {
    digits[count++] = (char)('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (count > 0) AppendChar(message, digits[--count]);
}

void MessageAppendHex(struct Message* message, uint64_t value) {
  static const char kDigits[] = "0123456789abcdef";
  char digits[16];
  int count = 0;
  do {
    digits[count++] = kDigits[value & 0xF];
    value >>= 4;
  } while (value != 0);
  MessageAppend(message, "0x");
  while (count > 0) AppendChar(message, digits[--count]);
}
