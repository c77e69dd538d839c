// libFuzzer target for the host-side decoder of guest records: whatever bytes the guest leaves in
// its output buffer, decoding must not read or write out of bounds (AddressSanitizer), hit
// undefined behaviour (UBSan), or accept a record it cannot re-encode to the very same bytes.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "vmbench/sandbox/wire.h"

namespace {

using vmbench::sandbox::Bytes;

// A decoded record must be canonical: encoding it again gives back the bytes it was read from.
void CheckReencodes(const Bytes& encoded, std::span<const std::uint8_t> input) {
  if (encoded.size() > input.size() ||
      std::memcmp(encoded.data(), input.data(), encoded.size()) != 0) {
    std::abort();
  }
}

void FuzzCall(vmb_record_kind kind, std::span<const std::uint8_t> input) {
  const auto call = vmbench::sandbox::DecodeCall(kind, input, "fuzz");
  if (!call.ok()) return;
  Bytes out(vmbench::sandbox::EncodedSize(call->name, call->args));
  if (!vmbench::sandbox::EncodeCall(kind, call->name, call->args, out).ok()) std::abort();
  CheckReencodes(out, input);
}

void FuzzResult(vmb_record_kind kind, std::span<const std::uint8_t> input) {
  const auto result = vmbench::sandbox::DecodeResult(kind, input, "fuzz");
  if (!result.ok()) return;
  Bytes out(vmbench::sandbox::EncodedSize(*result));
  if (!vmbench::sandbox::EncodeResult(kind, *result, out).ok()) std::abort();
  CheckReencodes(out, input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> input(data, size);
  FuzzCall(VMB_RECORD_CALL, input);
  FuzzCall(VMB_RECORD_HOST_CALL, input);
  FuzzResult(VMB_RECORD_RESULT, input);
  FuzzResult(VMB_RECORD_HOST_RESULT, input);
  return 0;
}
