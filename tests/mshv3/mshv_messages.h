// Hand-made hv_message buffers for the mshv3 tests, written byte by byte at the offsets the ABI
// documents (shared/reference/backends.md, section 2.5), independently of the backend's structures.

#ifndef VMBENCH_TESTS_MSHV3_MSHV_MESSAGES_H_
#define VMBENCH_TESTS_MSHV3_MSHV_MESSAGES_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace vmbench::testing {

using RawMessage = std::array<std::uint8_t, 256>;

template <typename T>
void Put(RawMessage& message, std::size_t offset, T value) {
  std::memcpy(message.data() + offset, &value, sizeof(T));
}

// A message of `type` whose intercept header says the VP stopped at `rip` on an instruction of
// `length` bytes, with `access` (0 read, 1 write) and `payload_size` payload bytes.
inline RawMessage InterceptMessage(std::uint32_t type, std::uint8_t payload_size, std::uint64_t rip,
                                   std::uint8_t length, std::uint8_t access) {
  RawMessage message{};
  Put(message, 0, type);
  Put(message, 4, payload_size);
  Put<std::uint8_t>(message, 16 + 4, length);  // instruction_length:4, cr8:4 = 0
  Put(message, 16 + 5, access);
  Put<std::uint64_t>(message, 16 + 24, rip);
  Put<std::uint64_t>(message, 16 + 32, 0x2);  // rflags
  return message;
}

// HVMSG_X64_IO_PORT_INTERCEPT: `length`-byte OUT (access 1) or IN (access 0) of `size` bytes to
// `port` with `rax`; `access_info_extra` adds the string-op (8) and rep (16) bits.
inline RawMessage IoPortMessage(std::uint64_t rip, std::uint8_t length, std::uint8_t access,
                                std::uint16_t port, std::uint8_t size, std::uint64_t rax,
                                std::uint8_t access_info_extra = 0) {
  RawMessage message = InterceptMessage(0x80010000, 128, rip, length, access);
  Put(message, 16 + 40, port);
  Put<std::uint8_t>(message, 16 + 42, static_cast<std::uint8_t>(size | access_info_extra));
  Put(message, 16 + 48, rax);
  return message;
}

inline RawMessage HaltMessage(std::uint64_t rip) {
  return InterceptMessage(0x80010007, 40, rip, 1, 0);
}

}  // namespace vmbench::testing

#endif  // VMBENCH_TESTS_MSHV3_MSHV_MESSAGES_H_
