/* Wire format encoding and decoding (docs/wire-format.md).
 *
 * x86-64 is little-endian, like the wire format, so integers are copied byte for byte with
 * memcpy (the builtin, see guest_libc.h), which the compiler turns into single unaligned loads
 * and stores: records are not aligned.
 */
#include "guest_wire.h"

#include <stdbool.h>
#include <stdint.h>

#include "guest_libc.h"
#include "guest_message.h"
#include "vmbench/sandbox/guest_abi.h"

/* Names for messages, indexed by the enum values of guest_abi.h. */
static const char* const kTagNames[] = {"void", "i32", "u32",  "i64",    "u64",
                                        "f32",  "f64", "bool", "string", "bytes"};
static const char* const kStatusNames[] = {"OK",        "UNKNOWN_FUNCTION", "BAD_ARGUMENTS",
                                           "MALFORMED", "NO_SPACE",         "HOST_ERROR"};
static const char* const kKindNames[] = {"none", "CALL", "RESULT", "HOST_CALL", "HOST_RESULT"};

#define NAME_OR_UNKNOWN(names, index) \
  ((index) < sizeof(names) / sizeof((names)[0]) ? (names)[index] : "unknown")

const char* WireTagName(uint8_t tag) { return NAME_OR_UNKNOWN(kTagNames, tag); }

const char* WireStatusName(uint32_t status) { return NAME_OR_UNKNOWN(kStatusNames, status); }

static const char* KindName(uint16_t kind) { return NAME_OR_UNKNOWN(kKindNames, kind); }

static bool IsLengthPrefixed(uint8_t tag) {
  return tag == VMB_VALUE_STRING || tag == VMB_VALUE_BYTES;
}

/* Bytes of data after the tag of a fixed-size value; 0 for void. */
static uint32_t ScalarWidth(uint8_t tag) {
  switch (tag) {
    case VMB_VALUE_I32:
    case VMB_VALUE_U32:
    case VMB_VALUE_F32:
      return 4;
    case VMB_VALUE_I64:
    case VMB_VALUE_U64:
    case VMB_VALUE_F64:
      return 8;
    case VMB_VALUE_BOOL:
      return 1;
    default:
      return 0;
  }
}

/* Encoded size of a value: its tag and its data. */
static uint64_t ValueSize(const struct WireValue* value) {
  if (IsLengthPrefixed(value->tag)) return 1 + 4 + (uint64_t)value->bytes.size;
  return 1 + (uint64_t)ScalarWidth(value->tag);
}

/* ---- Decoding ------------------------------------------------------------------------------ */

/* Reads one record. `end` starts as the buffer size and shrinks to the record's end once the
 * header is read; offsets (in messages too) count from the start of the record. The field being
 * read is kept only to name it in a message. */
struct Reader {
  const uint8_t* data;
  uint64_t end;
  uint64_t offset;
  const char* record; /* "call record" */
  const char* field;  /* "argument count" */
  int64_t index;      /* the argument's index, or -1 */
  int tag;            /* the value's tag once known, or -1 */
  struct Message* error;
};

static void SetField(struct Reader* reader, const char* field) {
  reader->field = field;
  reader->index = -1;
  reader->tag = -1;
}

static uint64_t BytesLeft(const struct Reader* reader) { return reader->end - reader->offset; }

/* Starts an error message about the current field at `offset`; the caller appends the problem. */
static struct Message* Fail(const struct Reader* reader, uint64_t offset) {
  struct Message* message = reader->error;
  MessageAppend(message, reader->record);
  MessageAppend(message, ": ");
  MessageAppend(message, reader->field);
  if (reader->index >= 0) {
    MessageAppend(message, " ");
    MessageAppendU64(message, (uint64_t)reader->index);
  }
  if (reader->tag >= 0) {
    MessageAppend(message, " (");
    MessageAppend(message, WireTagName((uint8_t)reader->tag));
    MessageAppend(message, ")");
  }
  MessageAppend(message, " at offset ");
  MessageAppendU64(message, offset);
  MessageAppend(message, ": ");
  return message;
}

static bool ReadFixed(struct Reader* reader, void* out, uint32_t size) {
  if (size > BytesLeft(reader)) {
    struct Message* message = Fail(reader, reader->offset);
    MessageAppend(message, "needs ");
    MessageAppendU64(message, size);
    MessageAppend(message, " bytes, ");
    MessageAppendU64(message, BytesLeft(reader));
    MessageAppend(message, " left");
    return false;
  }
  memcpy(out, reader->data + reader->offset, size);
  reader->offset += size;
  return true;
}

static bool ReadU8(struct Reader* reader, uint8_t* value) { return ReadFixed(reader, value, 1); }
static bool ReadU16(struct Reader* reader, uint16_t* value) { return ReadFixed(reader, value, 2); }
static bool ReadU32(struct Reader* reader, uint32_t* value) { return ReadFixed(reader, value, 4); }

/* A u32 length and that many bytes; the length is checked against the bytes left after it. */
static bool ReadLengthPrefixed(struct Reader* reader, struct WireBytes* bytes) {
  const uint64_t at = reader->offset;
  uint32_t length;
  if (!ReadU32(reader, &length)) return false;
  if (length > BytesLeft(reader)) {
    struct Message* message = Fail(reader, at);
    MessageAppend(message, "length ");
    MessageAppendU64(message, length);
    MessageAppend(message, " exceeds the ");
    MessageAppendU64(message, BytesLeft(reader));
    MessageAppend(message, " bytes left");
    return false;
  }
  bytes->data = reader->data + reader->offset;
  bytes->size = length;
  reader->offset += length;
  return true;
}

static bool ReadValue(struct Reader* reader, bool allow_void, struct WireValue* value) {
  const uint64_t at = reader->offset;
  uint8_t tag;
  if (!ReadU8(reader, &tag)) return false;
  if (tag > VMB_VALUE_BYTES) {
    struct Message* message = Fail(reader, at);
    MessageAppend(message, "unknown tag ");
    MessageAppendU64(message, tag);
    return false;
  }
  reader->tag = tag;
  value->tag = tag;
  value->scalar = 0;
  value->bytes = (struct WireBytes){0, 0};
  if (tag == VMB_VALUE_VOID && !allow_void) {
    MessageAppend(Fail(reader, at), "void is only a return type");
    return false;
  }
  if (IsLengthPrefixed(tag)) return ReadLengthPrefixed(reader, &value->bytes);
  if (!ReadFixed(reader, &value->scalar, ScalarWidth(tag))) return false;
  if (tag == VMB_VALUE_BOOL && value->scalar > 1) {
    struct Message* message = Fail(reader, at + 1);
    MessageAppend(message, "byte ");
    MessageAppendU64(message, value->scalar);
    MessageAppend(message, ", expected 0 or 1");
    return false;
  }
  return true;
}

/* Reads and checks the 16-byte header, then limits the reader to the record. */
static bool ReadHeader(struct Reader* reader, uint16_t expected_kind) {
  SetField(reader, "header");
  if (reader->end < VMB_WIRE_HEADER_SIZE) {
    struct Message* message = Fail(reader, 0);
    MessageAppend(message, "needs 16 bytes, the buffer holds ");
    MessageAppendU64(message, reader->end);
    return false;
  }
  uint32_t magic, payload_size, reserved;
  uint16_t version, kind;
  /* Cannot fail: the 16 bytes are there. */
  ReadU32(reader, &magic);
  ReadU16(reader, &version);
  ReadU16(reader, &kind);
  ReadU32(reader, &payload_size);
  ReadU32(reader, &reserved);

  struct Message* message;
  if (magic != VMB_WIRE_MAGIC) {
    SetField(reader, "magic");
    message = Fail(reader, 0);
    MessageAppendHex(message, magic);
    MessageAppend(message, ", expected ");
    MessageAppendHex(message, VMB_WIRE_MAGIC);
    return false;
  }
  if (version != VMB_WIRE_VERSION) {
    SetField(reader, "version");
    message = Fail(reader, 4);
    MessageAppendU64(message, version);
    MessageAppend(message, ", expected ");
    MessageAppendU64(message, VMB_WIRE_VERSION);
    return false;
  }
  if (kind != expected_kind) {
    SetField(reader, "kind");
    message = Fail(reader, 6);
    MessageAppendU64(message, kind);
    MessageAppend(message, " (");
    MessageAppend(message, KindName(kind));
    MessageAppend(message, "), expected ");
    MessageAppendU64(message, expected_kind);
    MessageAppend(message, " (");
    MessageAppend(message, KindName(expected_kind));
    MessageAppend(message, ")");
    return false;
  }
  if (payload_size > reader->end - VMB_WIRE_HEADER_SIZE) {
    SetField(reader, "payload size");
    message = Fail(reader, 8);
    MessageAppendU64(message, payload_size);
    MessageAppend(message, " exceeds the ");
    MessageAppendU64(message, reader->end - VMB_WIRE_HEADER_SIZE);
    MessageAppend(message, " bytes after the header");
    return false;
  }
  if (reserved != 0) {
    SetField(reader, "reserved field");
    message = Fail(reader, 12);
    MessageAppendU64(message, reserved);
    MessageAppend(message, ", expected 0");
    return false;
  }
  reader->end = VMB_WIRE_HEADER_SIZE + (uint64_t)payload_size;
  return true;
}

/* A record must be consumed exactly: bytes after its last field are an error. */
static bool ReadEnd(struct Reader* reader) {
  if (BytesLeft(reader) == 0) return true;
  SetField(reader, "payload");
  struct Message* message = Fail(reader, reader->offset);
  MessageAppendU64(message, BytesLeft(reader));
  MessageAppend(message, " bytes left over after the last field");
  return false;
}

bool WireDecodeCall(const uint8_t* buffer, uint64_t size, struct WireCall* call,
                    struct Message* error) {
  struct Reader reader = {.data = buffer, .end = size, .record = "call record", .error = error};
  if (!ReadHeader(&reader, VMB_RECORD_CALL)) return false;

  SetField(&reader, "function name");
  const uint64_t name_at = reader.offset;
  if (!ReadLengthPrefixed(&reader, &call->name)) return false;
  if (call->name.size == 0 || call->name.size > VMB_WIRE_MAX_NAME) {
    struct Message* message = Fail(&reader, name_at);
    MessageAppend(message, "length ");
    MessageAppendU64(message, call->name.size);
    MessageAppend(message, ", expected 1 to ");
    MessageAppendU64(message, VMB_WIRE_MAX_NAME);
    return false;
  }

  SetField(&reader, "argument count");
  const uint64_t count_at = reader.offset;
  if (!ReadU32(&reader, &call->arg_count)) return false;
  if (call->arg_count > VMB_WIRE_MAX_ARGS) {
    struct Message* message = Fail(&reader, count_at);
    MessageAppendU64(message, call->arg_count);
    MessageAppend(message, " exceeds the maximum of ");
    MessageAppendU64(message, VMB_WIRE_MAX_ARGS);
    return false;
  }
  for (uint32_t i = 0; i < call->arg_count; ++i) {
    SetField(&reader, "argument");
    reader.index = i;
    if (!ReadValue(&reader, false, &call->args[i])) return false;
  }
  return ReadEnd(&reader);
}

bool WireDecodeHostResult(const uint8_t* buffer, uint64_t size, struct WireHostResult* result,
                          struct Message* error) {
  struct Reader reader = {.data = buffer, .end = size, .record = "host result", .error = error};
  if (!ReadHeader(&reader, VMB_RECORD_HOST_RESULT)) return false;

  SetField(&reader, "status");
  if (!ReadU32(&reader, &result->status)) return false;
  result->value = (struct WireValue){0};
  result->message = (struct WireBytes){0, 0};
  if (result->status == VMB_STATUS_OK) {
    SetField(&reader, "return value");
    if (!ReadValue(&reader, true, &result->value)) return false;
  } else {
    SetField(&reader, "error message");
    if (!ReadLengthPrefixed(&reader, &result->message)) return false;
  }
  return ReadEnd(&reader);
}

/* ---- Encoding ------------------------------------------------------------------------------ */

/* Callers check the record's size before they start, so a writer never runs out of room. */
struct Writer {
  uint8_t* data;
  uint64_t size;
};

static void Put(struct Writer* writer, const void* bytes, uint64_t size) {
  memcpy(writer->data + writer->size, bytes, size);
  writer->size += size;
}

static void PutU8(struct Writer* writer, uint8_t value) { Put(writer, &value, 1); }
static void PutU16(struct Writer* writer, uint16_t value) { Put(writer, &value, 2); }
static void PutU32(struct Writer* writer, uint32_t value) { Put(writer, &value, 4); }

static void PutHeader(struct Writer* writer, uint16_t kind) {
  PutU32(writer, VMB_WIRE_MAGIC);
  PutU16(writer, VMB_WIRE_VERSION);
  PutU16(writer, kind);
  PutU32(writer, 0); /* payload size, filled in by FinishRecord */
  PutU32(writer, 0); /* reserved */
}

static void FinishRecord(struct Writer* writer) {
  const uint32_t payload_size = (uint32_t)(writer->size - VMB_WIRE_HEADER_SIZE);
  memcpy(writer->data + 8, &payload_size, 4);
}

static void PutValue(struct Writer* writer, const struct WireValue* value) {
  PutU8(writer, value->tag);
  if (IsLengthPrefixed(value->tag)) {
    PutU32(writer, value->bytes.size);
    Put(writer, value->bytes.data, value->bytes.size);
  } else {
    Put(writer, &value->scalar, ScalarWidth(value->tag));
  }
}

bool WireEncodeResult(uint8_t* buffer, uint64_t capacity, const struct WireResult* result,
                      uint64_t* needed) {
  struct Writer writer = {buffer, 0};
  if (result->status == VMB_STATUS_OK) {
    *needed = VMB_WIRE_HEADER_SIZE + 4 + ValueSize(&result->value);
    if (*needed > capacity) return false;
    PutHeader(&writer, VMB_RECORD_RESULT);
    PutU32(&writer, result->status);
    PutValue(&writer, &result->value);
  } else {
    *needed = kWireMinResultSize + (uint64_t)result->message.size;
    if (capacity < kWireMinResultSize) return false;
    uint32_t size = result->message.size;
    if (size > capacity - kWireMinResultSize) {
      size = Utf8CutPoint(result->message.text, (uint32_t)(capacity - kWireMinResultSize));
    }
    PutHeader(&writer, VMB_RECORD_RESULT);
    PutU32(&writer, result->status);
    PutU32(&writer, size);
    Put(&writer, result->message.text, size);
  }
  FinishRecord(&writer);
  return true;
}

bool WireEncodeHostCall(uint8_t* buffer, uint64_t capacity, struct WireBytes name,
                        const struct WireValue* args, uint32_t count, uint64_t* needed) {
  *needed = VMB_WIRE_HEADER_SIZE + 4 + (uint64_t)name.size + 4;
  for (uint32_t i = 0; i < count; ++i) *needed += ValueSize(&args[i]);
  if (*needed > capacity) return false;

  struct Writer writer = {buffer, 0};
  PutHeader(&writer, VMB_RECORD_HOST_CALL);
  PutU32(&writer, name.size);
  Put(&writer, name.data, name.size);
  PutU32(&writer, count);
  for (uint32_t i = 0; i < count; ++i) PutValue(&writer, &args[i]);
  FinishRecord(&writer);
  return true;
}
