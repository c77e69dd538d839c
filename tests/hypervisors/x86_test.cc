#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <vector>

#include "vmbench/sandbox/guest_abi.h"
#include "vmbench/x86/x86_long_mode.h"

namespace vmbench::x86 {
namespace {

constexpr std::uint64_t kGiB = 0x40000000;
constexpr std::uint64_t kMiB = 0x100000;

// The guest ABI's layout, as the sandbox uses it.
constexpr PageTableLayout kLayout{VMB_PML4_GPA, VMB_PDPT_GPA, VMB_PAGE_DIRECTORY_GPA};

// Guest memory from GPA 0, big enough for the tables of a 4 GiB map, filled with a pattern that
// no entry written by WriteIdentityPageTables contains.
std::vector<std::uint8_t> Memory() { return std::vector<std::uint8_t>(0x10000, 0xCC); }

std::uint64_t Entry(const std::vector<std::uint8_t>& memory, std::uint64_t table_gpa,
                    std::uint64_t index) {
  std::uint64_t entry = 0;
  std::memcpy(&entry, memory.data() + table_gpa + index * 8, sizeof(entry));
  return entry;
}

TEST_CASE("identity page tables for 1 GiB: one directory of 2 MiB pages", "[x86]") {
  std::vector<std::uint8_t> memory = Memory();
  REQUIRE(WriteIdentityPageTables({memory, 0}, kLayout, kGiB).ok());

  CHECK(Entry(memory, VMB_PML4_GPA, 0) == (VMB_PDPT_GPA | 0x23));
  CHECK(Entry(memory, VMB_PDPT_GPA, 0) == (VMB_PAGE_DIRECTORY_GPA | 0x23));
  for (std::uint64_t i = 0; i < 512; ++i) {
    INFO("PDE " << i);
    CHECK(Entry(memory, VMB_PAGE_DIRECTORY_GPA, i) == ((i << 21) | 0xE3));
  }
  // Every other entry of the three table pages is zero, whatever the memory held before.
  for (std::uint64_t i = 1; i < 512; ++i) {
    INFO("entry " << i);
    CHECK(Entry(memory, VMB_PML4_GPA, i) == 0);
    CHECK(Entry(memory, VMB_PDPT_GPA, i) == 0);
  }
  // Nothing is written past the tables.
  CHECK(memory[VMB_PAGE_DIRECTORY_GPA + kPageSize] == 0xCC);
  CHECK(memory[VMB_PML4_GPA - 1] == 0xCC);
}

TEST_CASE("identity page tables for 4 GiB: four directories", "[x86]") {
  std::vector<std::uint8_t> memory = Memory();
  REQUIRE(WriteIdentityPageTables({memory, 0}, kLayout, 4 * kGiB).ok());

  for (std::uint64_t i = 0; i < 4; ++i) {
    INFO("PDPTE " << i);
    CHECK(Entry(memory, VMB_PDPT_GPA, i) == ((VMB_PAGE_DIRECTORY_GPA + i * kPageSize) | 0x23));
  }
  CHECK(Entry(memory, VMB_PDPT_GPA, 4) == 0);
  // The last 2 MiB page below 4 GiB, in the last entry of the fourth directory.
  CHECK(Entry(memory, VMB_PAGE_DIRECTORY_GPA + 3 * kPageSize, 511) == (0xFFE00000ull | 0xE3));
  CHECK(Entry(memory, VMB_PAGE_DIRECTORY_GPA + 2 * kPageSize, 0) == ((2 * kGiB) | 0xE3));
  CHECK(memory[VMB_PAGE_DIRECTORY_GPA + 4 * kPageSize] == 0xCC);
}

TEST_CASE("identity page tables round a partial map up to whole 2 MiB pages", "[x86]") {
  std::vector<std::uint8_t> memory = Memory();
  REQUIRE(WriteIdentityPageTables({memory, 0}, kLayout, 3 * kMiB).ok());
  CHECK(Entry(memory, VMB_PAGE_DIRECTORY_GPA, 0) == 0xE3);
  CHECK(Entry(memory, VMB_PAGE_DIRECTORY_GPA, 1) == ((2 * kMiB) | 0xE3));
  CHECK(Entry(memory, VMB_PAGE_DIRECTORY_GPA, 2) == 0);

  // Just over 1 GiB needs a second directory with one entry.
  memory = Memory();
  REQUIRE(WriteIdentityPageTables({memory, 0}, kLayout, kGiB + 1).ok());
  CHECK(Entry(memory, VMB_PDPT_GPA, 1) == ((VMB_PAGE_DIRECTORY_GPA + kPageSize) | 0x23));
  CHECK(Entry(memory, VMB_PAGE_DIRECTORY_GPA + kPageSize, 0) == (kGiB | 0xE3));
  CHECK(Entry(memory, VMB_PAGE_DIRECTORY_GPA + kPageSize, 1) == 0);
}

TEST_CASE("identity page tables honour the buffer's guest-physical base", "[x86]") {
  // A buffer holding guest-physical [0x100000, 0x108000), tables at its start.
  std::vector<std::uint8_t> memory(0x8000, 0xCC);
  const PageTableLayout layout{0x100000, 0x101000, 0x102000};
  REQUIRE(WriteIdentityPageTables({memory, 0x100000}, layout, kGiB).ok());
  std::uint64_t pml4e = 0;
  std::memcpy(&pml4e, memory.data(), sizeof(pml4e));
  CHECK(pml4e == (0x101000 | 0x23));
  std::uint64_t pde1 = 0;
  std::memcpy(&pde1, memory.data() + 0x2000 + 8, sizeof(pde1));
  CHECK(pde1 == ((2 * kMiB) | 0xE3));
}

TEST_CASE("identity page tables reject a buffer that is too small", "[x86]") {
  // The fourth directory of a 4 GiB map would end at 0x7000: one byte short.
  std::vector<std::uint8_t> memory(0x7000 - 1);
  const absl::Status status = WriteIdentityPageTables({memory, 0}, kLayout, 4 * kGiB);
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(status.message()),
             Catch::Contains("page directories [0x3000,0x7000) does not fit in guest memory "
                             "[0x0,0x6fff)"));
  // Exactly big enough is fine.
  memory.resize(0x7000);
  CHECK(WriteIdentityPageTables({memory, 0}, kLayout, 4 * kGiB).ok());

  // A table below the buffer's first address does not fit either.
  std::vector<std::uint8_t> high(0x10000);
  CHECK(WriteIdentityPageTables({high, 0x2000}, kLayout, kGiB).code() ==
        absl::StatusCode::kInvalidArgument);
}

TEST_CASE("identity page tables reject bad sizes, alignment and overlaps", "[x86]") {
  std::vector<std::uint8_t> memory = Memory();
  const absl::Status zero = WriteIdentityPageTables({memory, 0}, kLayout, 0);
  CHECK(zero.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(zero.message()), Catch::Contains("at most 4 GiB"));
  CHECK(WriteIdentityPageTables({memory, 0}, kLayout, 4 * kGiB + 1).code() ==
        absl::StatusCode::kInvalidArgument);

  const absl::Status unaligned =
      WriteIdentityPageTables({memory, 0}, {0x1000, 0x2800, 0x3000}, kGiB);
  CHECK(unaligned.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(unaligned.message()), Catch::Contains("PDPT [0x2800,0x3800)"));
  CHECK_THAT(std::string(unaligned.message()), Catch::Contains("not 4 KiB-aligned"));

  // The second directory of a 2 GiB map would land on the PDPT.
  const absl::Status overlap =
      WriteIdentityPageTables({memory, 0}, {0x1000, 0x4000, 0x3000}, 2 * kGiB);
  CHECK(overlap.code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(overlap.message()),
             Catch::Contains("page directories [0x3000,0x5000) overlaps PDPT [0x4000,0x5000)"));

  // Nothing was written by the failed calls.
  CHECK(memory[VMB_PML4_GPA] == 0xCC);
}

TEST_CASE("long-mode special registers overwrite only what 64-bit mode needs", "[x86]") {
  SpecialRegisters reset;
  reset.gdt = {0x9000, 0x17};
  reset.idt = {0xA000, 0xFFF};
  reset.apic_base = 0xFEE00900;
  reset.cr2 = 0x1234;
  reset.tr.selector = 0x18;
  reset.ldt.present = true;
  reset.ldt.type = 2;

  const absl::StatusOr<SpecialRegisters> sregs = LongModeSpecialRegisters(reset, VMB_PML4_GPA);
  REQUIRE(sregs.ok());
  CHECK(sregs->cr0 == 0x80010033);
  CHECK(sregs->cr3 == VMB_PML4_GPA);
  CHECK(sregs->cr4 == 0x620);
  CHECK(sregs->efer == 0x500);

  CHECK(sregs->cs.selector == 0x08);
  CHECK(sregs->cs.type == 0xB);
  CHECK(sregs->cs.s);
  CHECK(sregs->cs.present);
  CHECK(sregs->cs.l);
  CHECK_FALSE(sregs->cs.db);
  CHECK(sregs->cs.g);
  CHECK(sregs->cs.dpl == 0);
  for (const Segment* data : {&sregs->ds, &sregs->es, &sregs->fs, &sregs->gs, &sregs->ss}) {
    CHECK(data->selector == 0x10);
    CHECK(data->type == 0x3);
    CHECK(data->s);
    CHECK(data->present);
    CHECK(data->db);
    CHECK(data->g);
    CHECK_FALSE(data->l);
    CHECK(data->base == 0);
    CHECK(data->limit == 0xFFFFFFFF);
  }
  CHECK(sregs->tr.type == 0xB);
  CHECK(sregs->tr.present);
  CHECK_FALSE(sregs->tr.s);
  CHECK(sregs->tr.limit == 0x67);
  CHECK(sregs->tr.selector == 0x18);
  CHECK_FALSE(sregs->ldt.present);

  // The backend's own values survive.
  CHECK(sregs->gdt.base == 0x9000);
  CHECK(sregs->gdt.limit == 0x17);
  CHECK(sregs->idt.base == 0xA000);
  CHECK(sregs->apic_base == 0xFEE00900);
  CHECK(sregs->cr2 == 0x1234);
}

TEST_CASE("long-mode special registers reject an unaligned PML4", "[x86]") {
  const absl::StatusOr<SpecialRegisters> sregs = LongModeSpecialRegisters({}, 0x1008);
  CHECK(sregs.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK_THAT(std::string(sregs.status().message()), Catch::Contains("0x1008"));
}

}  // namespace
}  // namespace vmbench::x86
