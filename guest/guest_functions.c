/* The guest functions (the names and shapes Hyperlight's benchmark guest uses) and the host
 * calls behind Add and PrintOutput. */
#include "guest_functions.h"

#include <stdbool.h>
#include <stdint.h>

#include "guest_cpu.h"
#include "guest_libc.h"
#include "guest_message.h"
#include "guest_wire.h"
#include "vmbench/sandbox/guest_abi.h"

typedef void (*FunctionBody)(const struct WireValue* args, struct GuestBuffer output,
                             struct WireResult* result);

struct Function {
  const char* name;
  uint32_t param_count;
  uint8_t params[2]; /* enum vmb_value_tag of each parameter */
  FunctionBody body;
};

static void ReturnValue(struct WireResult* result, struct WireValue value) {
  result->status = VMB_STATUS_OK;
  result->value = value;
}

static struct WireValue I32Value(uint64_t scalar) {
  return (struct WireValue){.tag = VMB_VALUE_I32, .scalar = scalar & 0xFFFFFFFFu};
}

/* Sets an error status and returns the (emptied) message for the caller to fill. */
static struct Message* ReturnError(struct WireResult* result, uint32_t status) {
  result->status = status;
  MessageClear(&result->message);
  return &result->message;
}

/* Calls host function `name` through the output buffer and checks that it returned a value
 * tagged `returns`. On failure fills `result` (NO_SPACE, MALFORMED or HOST_ERROR) and returns
 * false. */
static bool CallHost(struct WireBytes name, const struct WireValue* args, uint32_t count,
                     uint8_t returns, struct GuestBuffer output, struct WireValue* value,
                     struct WireResult* result) {
  uint64_t needed;
  if (!WireEncodeHostCall(output.data, output.size, name, args, count, &needed)) {
    struct Message* message = ReturnError(result, VMB_STATUS_NO_SPACE);
    MessageAppend(message, "the call of host function ");
    MessageAppendBytes(message, name.data, name.size);
    MessageAppend(message, " needs ");
    MessageAppendU64(message, needed);
    MessageAppend(message, " bytes, the output buffer holds ");
    MessageAppendU64(message, output.size);
    return false;
  }

  CpuOut32(VMB_PORT_HOST_CALL, 0); /* the host answers in the output buffer, then resumes us */

  struct WireHostResult answer;
  struct Message* message = ReturnError(result, VMB_STATUS_MALFORMED);
  MessageAppendBytes(message, name.data, name.size);
  MessageAppend(message, ": ");
  if (!WireDecodeHostResult(output.data, output.size, &answer, message)) return false;

  if (answer.status != VMB_STATUS_OK) {
    /* The host's message is in the output buffer, which the RESULT will overwrite: copy it. */
    message = ReturnError(result, VMB_STATUS_HOST_ERROR);
    MessageAppendBytes(message, name.data, name.size);
    MessageAppend(message, " failed with status ");
    MessageAppendU64(message, answer.status);
    MessageAppend(message, " (");
    MessageAppend(message, WireStatusName(answer.status));
    MessageAppend(message, "): ");
    MessageAppendBytes(message, answer.message.data, answer.message.size);
    return false;
  }
  if (answer.value.tag != returns) {
    message = ReturnError(result, VMB_STATUS_HOST_ERROR);
    MessageAppendBytes(message, name.data, name.size);
    MessageAppend(message, " returned ");
    MessageAppend(message, WireTagName(answer.value.tag));
    MessageAppend(message, ", expected ");
    MessageAppend(message, WireTagName(returns));
    return false;
  }
  *value = answer.value;
  return true;
}

/* Echo(string) -> string: returns its argument. */
static void Echo(const struct WireValue* args, struct GuestBuffer output,
                 struct WireResult* result) {
  (void)output;
  ReturnValue(result, args[0]);
}

/* Add(i32, i32) -> i32: returns HostAdd(a, b), so that every call includes one host call. */
static void Add(const struct WireValue* args, struct GuestBuffer output,
                struct WireResult* result) {
  struct WireValue sum;
  if (!CallHost(WIRE_LITERAL("HostAdd"), args, 2, VMB_VALUE_I32, output, &sum, result)) return;
  ReturnValue(result, I32Value(sum.scalar));
}

/* Spin() -> never returns: a call the host can only end by interrupting the vCPU. A bare jump to
 * itself, in asm so that the compiler cannot remove it; no `pause`, which could cause
 * pause-loop exits and make the loop visible to the hypervisor. */
static void Spin(const struct WireValue* args, struct GuestBuffer output,
                 struct WireResult* result) {
  (void)args;
  (void)output;
  (void)result;
  __asm__ volatile("1:\n\tjmp 1b");
  __builtin_unreachable();
}

/* Where LargeParameters leaves what it read, so that the reads cannot be optimized away. */
static volatile uint8_t g_large_parameters_sink;

/* LargeParameters(bytes, string) -> void: reads the first and the last byte of each argument
 * (the last one is the farthest from the start of the call record) and nothing in between, so
 * the benchmark measures passing the parameters, not work on them. */
static void LargeParameters(const struct WireValue* args, struct GuestBuffer output,
                            struct WireResult* result) {
  (void)output;
  uint8_t sink = 0;
  for (int i = 0; i < 2; ++i) {
    const struct WireBytes bytes = args[i].bytes;
    if (bytes.size > 0) sink ^= (uint8_t)(bytes.data[0] ^ bytes.data[bytes.size - 1]);
  }
  g_large_parameters_sink = sink;
  ReturnValue(result, (struct WireValue){.tag = VMB_VALUE_VOID});
}

enum { kEightKiB = 8 * 1024 };

/* 24K_in_8K_out(bytes) -> bytes: returns the first 8 KiB of its argument, or all of it when it
 * is shorter (the benchmark passes 24 KiB). */
static void TwentyFourKInEightKOut(const struct WireValue* args, struct GuestBuffer output,
                                   struct WireResult* result) {
  (void)output;
  struct WireValue value = args[0];
  if (value.bytes.size > kEightKiB) value.bytes.size = kEightKiB;
  ReturnValue(result, value);
}

/* PrintOutput(string) -> i32: returns HostPrint(text), the host's count of what it printed. */
static void PrintOutput(const struct WireValue* args, struct GuestBuffer output,
                        struct WireResult* result) {
  struct WireValue printed;
  if (!CallHost(WIRE_LITERAL("HostPrint"), args, 1, VMB_VALUE_I32, output, &printed, result)) {
    return;
  }
  ReturnValue(result, I32Value(printed.scalar));
}

static const struct Function kFunctions[] = {
    {"Echo", 1, {VMB_VALUE_STRING, 0}, Echo},
    {"Add", 2, {VMB_VALUE_I32, VMB_VALUE_I32}, Add},
    {"Spin", 0, {0, 0}, Spin},
    {"LargeParameters", 2, {VMB_VALUE_BYTES, VMB_VALUE_STRING}, LargeParameters},
    {"24K_in_8K_out", 1, {VMB_VALUE_BYTES, 0}, TwentyFourKInEightKOut},
    {"PrintOutput", 1, {VMB_VALUE_STRING, 0}, PrintOutput},
};
enum { kFunctionCount = sizeof(kFunctions) / sizeof(kFunctions[0]) };

static uint32_t NameLength(const char* name) {
  uint32_t length = 0;
  while (name[length] != '\0') ++length;
  return length;
}

static const struct Function* FindFunction(struct WireBytes name) {
  for (uint32_t i = 0; i < kFunctionCount; ++i) {
    const char* candidate = kFunctions[i].name;
    if (NameLength(candidate) == name.size && memcmp(candidate, name.data, name.size) == 0) {
      return &kFunctions[i];
    }
  }
  return 0;
}

static bool ArgumentsMatch(const struct Function* function, const struct WireCall* call) {
  if (call->arg_count != function->param_count) return false;
  for (uint32_t i = 0; i < call->arg_count; ++i) {
    if (call->args[i].tag != function->params[i]) return false;
  }
  return true;
}

/* Appends "(i32, string)". */
static void AppendTypes(struct Message* message, const uint8_t* tags, uint32_t count) {
  MessageAppend(message, "(");
  for (uint32_t i = 0; i < count; ++i) {
    if (i > 0) MessageAppend(message, ", ");
    MessageAppend(message, WireTagName(tags[i]));
  }
  MessageAppend(message, ")");
}

void FunctionsRun(const struct WireCall* call, struct GuestBuffer output,
                  struct WireResult* result) {
  const struct Function* function = FindFunction(call->name);
  if (function == 0) {
    struct Message* message = ReturnError(result, VMB_STATUS_UNKNOWN_FUNCTION);
    MessageAppend(message, "unknown guest function '");
    MessageAppendPrintable(message, call->name.data, call->name.size);
    MessageAppend(message, "'; the guest has ");
    for (uint32_t i = 0; i < kFunctionCount; ++i) {
      if (i > 0) MessageAppend(message, ", ");
      MessageAppend(message, kFunctions[i].name);
    }
    return;
  }
  if (!ArgumentsMatch(function, call)) {
    struct Message* message = ReturnError(result, VMB_STATUS_BAD_ARGUMENTS);
    MessageAppend(message, function->name);
    MessageAppend(message, " expects ");
    AppendTypes(message, function->params, function->param_count);
    MessageAppend(message, ", got ");
    uint8_t tags[VMB_WIRE_MAX_ARGS];
    for (uint32_t i = 0; i < call->arg_count; ++i) tags[i] = call->args[i].tag;
    AppendTypes(message, tags, call->arg_count);
    return;
  }
  function->body(call->args, output, result);
}
