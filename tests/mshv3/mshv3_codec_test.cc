// The mshv3 backend's ABI definitions and pure conversions, against the documented values
// (shared/reference/backends.md, sections 0 and 2) and hand-made intercept messages.

#include <catch2/catch.hpp>
#include <cstring>
#include <variant>

#include "mshv_abi.h"
#include "mshv_intercept.h"
#include "mshv_messages.h"
#include "mshv_registers.h"

namespace vmbench::mshv {
namespace {

using testing::HaltMessage;
using testing::InterceptMessage;
using testing::IoPortMessage;
using testing::RawMessage;

MessageBuffer Buffer(const RawMessage& raw) {
  MessageBuffer buffer;
  std::memcpy(buffer.bytes, raw.data(), raw.size());
  return buffer;
}

TEST_CASE("mshv3 ioctl numbers encode the documented direction size and number") {
  // _IOC layout: nr bits 0-7, type 8-15, size 16-29, direction 30-31 (1 write, 2 read).
  struct Expected {
    unsigned long number;
    unsigned direction, size, nr;
  };
  const Expected expected[] = {{kIoctlCreatePartition, 1, 16, 0x00},
                               {kIoctlInitializePartition, 0, 0, 0x00},
                               {kIoctlCreateVp, 1, 4, 0x01},
                               {kIoctlSetGuestMemory, 1, 32, 0x02},
                               {kIoctlGetGpapAccessBitmap, 3, 32, 0x06},
                               {kIoctlRootHvcall, 3, 32, 0x07},
                               {kIoctlRunVp, 2, 256, 0x00}};
  for (const Expected& e : expected) {
    INFO("ioctl 0x" << std::hex << e.number);
    CHECK(_IOC_TYPE(e.number) == 0xB8);
    CHECK(_IOC_DIR(e.number) == e.direction);
    CHECK(_IOC_SIZE(e.number) == e.size);
    CHECK(_IOC_NR(e.number) == e.nr);
  }
}

TEST_CASE("mshv3 segment registers use the Hyper-V attribute encoding") {
  Segment code{.base = 0,
               .limit = 0xFFFFFFFF,
               .selector = 0x08,
               .type = 0xB,
               .present = true,
               .dpl = 0,
               .db = false,
               .s = true,
               .l = true,
               .g = true};
  Segment data{.base = 0x1000,
               .limit = 0xFFFFFFFF,
               .selector = 0x10,
               .type = 0x3,
               .present = true,
               .dpl = 0,
               .db = true,
               .s = true,
               .l = false,
               .g = true};
  Segment tss{.base = 0, .limit = 0x67, .selector = 0x18, .type = 0xB, .present = true};
  const auto attributes = [](const Segment& segment) {
    const RegisterValue value = SegmentToValue(segment);
    std::uint16_t word = 0;
    std::memcpy(&word, reinterpret_cast<const char*>(&value) + 14, 2);
    return word;
  };
  CHECK(attributes(code) == 0xA09B);
  CHECK(attributes(data) == 0xC093);
  CHECK(attributes(tss) == 0x008B);

  const RegisterValue value = SegmentToValue(data);
  std::uint64_t base = 0;
  std::uint32_t limit = 0;
  std::uint16_t selector = 0;
  std::memcpy(&base, reinterpret_cast<const char*>(&value), 8);
  std::memcpy(&limit, reinterpret_cast<const char*>(&value) + 8, 4);
  std::memcpy(&selector, reinterpret_cast<const char*>(&value) + 12, 2);
  CHECK(base == 0x1000);
  CHECK(limit == 0xFFFFFFFF);
  CHECK(selector == 0x10);
  CHECK(SegmentFromValue(value) == data);
  CHECK(SegmentFromValue(SegmentToValue(code)) == code);
}

TEST_CASE("mshv3 special registers convert both ways with tables in the TLFS layout") {
  SpecialRegisters sregs;
  sregs.cs = Segment{.limit = 0xFFFFFFFF,
                     .selector = 8,
                     .type = 0xB,
                     .present = true,
                     .s = true,
                     .l = true,
                     .g = true};
  sregs.gdt = DescriptorTable{.base = 0x5000, .limit = 0x27};
  sregs.idt = DescriptorTable{.base = 0x6000, .limit = 0xFFF};
  sregs.cr0 = 0x80010033;
  sregs.cr3 = 0x1000;
  sregs.cr4 = 0x620;
  sregs.efer = 0x500;
  const auto values = SpecialToValues(sregs);
  // GDTR is the 9th name: {u16 pad[3]; u16 limit; u64 base}.
  REQUIRE(kSpecialRegisterNames[8] == kGdtr);
  std::uint16_t limit = 0;
  std::memcpy(&limit, reinterpret_cast<const char*>(&values[8]) + 6, 2);
  CHECK(limit == 0x27);
  CHECK(values[8].high == 0x5000);
  REQUIRE(kSpecialRegisterNames[10] == kCr0);
  CHECK(values[10].low == 0x80010033);
  CHECK(SpecialFromValues(values) == sregs);
}

TEST_CASE("mshv3 general registers follow the register names and the register page order") {
  GeneralRegisters regs;
  regs.rax = 1;
  regs.rcx = 2;
  regs.rdx = 3;
  regs.rbx = 4;
  regs.rsp = 5;
  regs.r15 = 16;
  regs.rip = 0x10000;
  regs.rflags = 0x202;
  const auto values = GeneralToValues(regs);
  for (std::size_t i = 0; i < kGeneralRegisterNames.size(); ++i) {
    if (kGeneralRegisterNames[i] == kRcx) CHECK(values[i].low == 2);
    if (kGeneralRegisterNames[i] == kRip) CHECK(values[i].low == 0x10000);
  }
  const GeneralRegisters back = GeneralFromValues(values);
  CHECK(back.rax == 1);
  CHECK(back.rbx == 4);
  CHECK(back.r15 == 16);
  CHECK(back.rflags == 0x202);

  // hv_vp_register_page: gp_registers in the order RAX, RCX, RDX, RBX, RSP, ...
  RegisterPage page{};
  WriteGeneralToPage(regs, page);
  CHECK(page.gp_registers[0] == 1);
  CHECK(page.gp_registers[1] == 2);
  CHECK(page.gp_registers[2] == 3);
  CHECK(page.gp_registers[3] == 4);
  CHECK(page.gp_registers[4] == 5);
  CHECK(page.gp_registers[15] == 16);
  CHECK(page.rip == 0x10000);
  CHECK(page.dirty == 0x13);  // general (0), IP (1) and flags (4) classes
  CHECK(GeneralFromPage(page).rcx == 2);
  page.dirty = 0;
  WriteRipToPage(0x10002, page);
  CHECK(page.rip == 0x10002);
  CHECK(page.dirty == 0x2);
}

TEST_CASE("mshv3 OUT intercepts give the low access bytes of RAX and resume after the OUT") {
  // out dx, al (EE, 1 byte) with garbage in RAX's upper bytes.
  auto decoded = DecodeMessage(Buffer(IoPortMessage(0x10000, 1, 1, 0x100, 1, 0xDEADBE2A)));
  REQUIRE(decoded.ok());
  const auto* out = std::get_if<IoOutExit>(&decoded->exit);
  REQUIRE(out != nullptr);
  CHECK(out->port == 0x100);
  CHECK(out->size == 1);
  CHECK(out->value == 0x2A);
  CHECK(decoded->resume_rip == 0x10001);

  // out 0x80, eax with an operand-size... 4 bytes, 2-byte instruction (E7 ib).
  decoded = DecodeMessage(Buffer(IoPortMessage(0x20000, 2, 1, 0x80, 4, 0x1122334455667788)));
  REQUIRE(decoded.ok());
  out = std::get_if<IoOutExit>(&decoded->exit);
  REQUIRE(out != nullptr);
  CHECK(out->value == 0x55667788);
  CHECK(decoded->resume_rip == 0x20002);

  decoded = DecodeMessage(Buffer(IoPortMessage(0x20000, 2, 1, 0x80, 2, 0xABCD1234)));
  REQUIRE(decoded.ok());
  CHECK(std::get<IoOutExit>(decoded->exit).value == 0x1234);
}

TEST_CASE("mshv3 IN and string I/O are faults that leave RIP at the instruction") {
  auto decoded = DecodeMessage(Buffer(IoPortMessage(0x10000, 1, 0, 0x60, 1, 0)));
  REQUIRE(decoded.ok());
  const auto* fault = std::get_if<FaultExit>(&decoded->exit);
  REQUIRE(fault != nullptr);
  CHECK(fault->kind == FaultExit::Kind::kInternalError);
  CHECK(fault->rip == 0x10000);
  CHECK_THAT(fault->detail, Catch::Contains("IN from port 0x60"));
  CHECK_FALSE(decoded->resume_rip.has_value());

  decoded = DecodeMessage(Buffer(IoPortMessage(0x10000, 2, 1, 0x100, 1, 0, /*rep outsb*/ 8 | 16)));
  REQUIRE(decoded.ok());
  REQUIRE(std::holds_alternative<FaultExit>(decoded->exit));
  CHECK_THAT(std::get<FaultExit>(decoded->exit).detail, Catch::Contains("string I/O"));
  CHECK_FALSE(decoded->resume_rip.has_value());
}

TEST_CASE("mshv3 halt unrecoverable exception and unmapped GPA messages") {
  auto decoded = DecodeMessage(Buffer(HaltMessage(0x10010)));
  REQUIRE(decoded.ok());
  CHECK(std::holds_alternative<HaltExit>(decoded->exit));
  CHECK(decoded->resume_rip == 0x10011);

  decoded = DecodeMessage(Buffer(InterceptMessage(0x80000021, 40, 0x10020, 0, 0)));
  REQUIRE(decoded.ok());
  const auto* fault = std::get_if<FaultExit>(&decoded->exit);
  REQUIRE(fault != nullptr);
  CHECK(fault->kind == FaultExit::Kind::kShutdown);
  CHECK(fault->rip == 0x10020);

  RawMessage unmapped = InterceptMessage(0x80000000, 80, 0x10030, 0, 1);
  testing::Put<std::uint64_t>(unmapped, 16 + 56, 0xFEE00000);
  decoded = DecodeMessage(Buffer(unmapped));
  REQUIRE(decoded.ok());
  const auto* mmio = std::get_if<MmioExit>(&decoded->exit);
  REQUIRE(mmio != nullptr);
  CHECK(mmio->gpa == 0xFEE00000);
  CHECK(mmio->is_write);
  CHECK_FALSE(decoded->resume_rip.has_value());

  decoded = DecodeMessage(Buffer(InterceptMessage(0x80010001, 40, 0, 0, 0)));  // a CPUID intercept
  REQUIRE(decoded.ok());
  CHECK_THAT(std::get<FaultExit>(decoded->exit).detail, Catch::Contains("0x80010001"));
}

TEST_CASE("mshv3 malformed messages are errors naming the field") {
  RawMessage short_io = IoPortMessage(0x10000, 1, 1, 0x100, 1, 0);
  testing::Put<std::uint8_t>(short_io, 4, 40);  // payload_size too small for an I/O intercept
  auto decoded = DecodeMessage(Buffer(short_io));
  REQUIRE_FALSE(decoded.ok());
  CHECK_THAT(std::string(decoded.status().message()), Catch::Contains("payload_size 40"));

  decoded = DecodeMessage(Buffer(IoPortMessage(0x10000, 0, 1, 0x100, 1, 0)));
  REQUIRE_FALSE(decoded.ok());
  CHECK_THAT(std::string(decoded.status().message()), Catch::Contains("instruction length 0"));

  decoded = DecodeMessage(Buffer(IoPortMessage(0x10000, 1, 1, 0x100, 3, 0)));
  REQUIRE_FALSE(decoded.ok());
  CHECK_THAT(std::string(decoded.status().message()), Catch::Contains("access size 3"));
}

}  // namespace
}  // namespace vmbench::mshv
