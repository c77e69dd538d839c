#include "vmbench/x86/x86_long_mode.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>

#include "absl/strings/str_cat.h"

namespace vmbench::x86 {
namespace {

constexpr std::uint64_t kEntriesPerTable = kPageSize / sizeof(std::uint64_t);  // 512

// A guest-physical range [begin, end) and what it holds, for error messages.
struct Range {
  const char* what;
  std::uint64_t begin;
  std::uint64_t end;
};

std::string Describe(const Range& range) {
  return absl::StrCat(range.what, " [0x", absl::Hex(range.begin), ",0x", absl::Hex(range.end), ")");
}

// One paging structure: 512 entries, written to guest memory as a whole page.
using Table = std::array<std::uint64_t, kEntriesPerTable>;

void WriteTable(GuestMemory memory, std::uint64_t gpa, const Table& table) {
  // memcpy, not a reinterpret_cast: the host buffer need not be 8-byte aligned.
  std::memcpy(memory.bytes.data() + (gpa - memory.gpa), table.data(), kPageSize);
}

}  // namespace

std::uint64_t PageDirectoryCount(std::uint64_t mapped_bytes) {
  return (mapped_bytes + kPageDirectorySpan - 1) / kPageDirectorySpan;
}

absl::Status WriteIdentityPageTables(GuestMemory memory, const PageTableLayout& layout,
                                     std::uint64_t mapped_bytes) {
  if (mapped_bytes == 0 || mapped_bytes > kMaxIdentityMapBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("identity page tables: cannot map 0x", absl::Hex(mapped_bytes),
                     " bytes (must be more than 0 and at most 4 GiB)"));
  }
  const std::uint64_t directories = PageDirectoryCount(mapped_bytes);
  const std::array<Range, 3> tables = {Range{"PML4", layout.pml4_gpa, layout.pml4_gpa + kPageSize},
                                       Range{"PDPT", layout.pdpt_gpa, layout.pdpt_gpa + kPageSize},
                                       Range{"page directories", layout.page_directory_gpa,
                                             layout.page_directory_gpa + directories * kPageSize}};
  const Range buffer{"guest memory", memory.gpa, memory.gpa + memory.bytes.size()};
  for (std::size_t i = 0; i < tables.size(); ++i) {
    const Range& table = tables[i];
    if (table.begin % kPageSize != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("identity page tables: ", Describe(table), " is not 4 KiB-aligned"));
    }
    // Written so that no sum can wrap around: table.end - table.begin is at most 4 pages.
    if (table.begin < buffer.begin || table.begin > buffer.end ||
        table.end - table.begin > buffer.end - table.begin) {
      return absl::InvalidArgumentError(absl::StrCat("identity page tables: ", Describe(table),
                                                     " does not fit in ", Describe(buffer)));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (table.begin < tables[j].end && tables[j].begin < table.end) {
        return absl::InvalidArgumentError(absl::StrCat("identity page tables: ", Describe(table),
                                                       " overlaps ", Describe(tables[j])));
      }
    }
  }

  Table table{};
  table[0] = layout.pdpt_gpa | kTableEntryFlags;
  WriteTable(memory, layout.pml4_gpa, table);

  table.fill(0);
  for (std::uint64_t i = 0; i < directories; ++i) {
    table[i] = (layout.page_directory_gpa + i * kPageSize) | kTableEntryFlags;
  }
  WriteTable(memory, layout.pdpt_gpa, table);

  const std::uint64_t large_pages = (mapped_bytes + kLargePageSize - 1) / kLargePageSize;
  for (std::uint64_t i = 0; i < directories; ++i) {
    table.fill(0);
    const std::uint64_t first = i * kEntriesPerTable;
    const std::uint64_t count = std::min(kEntriesPerTable, large_pages - first);
    for (std::uint64_t j = 0; j < count; ++j) {
      table[j] = ((first + j) * kLargePageSize) | kLargePageEntryFlags;
    }
    WriteTable(memory, layout.page_directory_gpa + i * kPageSize, table);
  }
  return absl::OkStatus();
}

absl::StatusOr<SpecialRegisters> LongModeSpecialRegisters(const SpecialRegisters& reset,
                                                          std::uint64_t pml4_gpa) {
  if (pml4_gpa % kPageSize != 0) {
    // CR3's low 12 bits are PWT/PCD flags, not address bits: an unaligned PML4 cannot be named.
    return absl::InvalidArgumentError(absl::StrCat("long-mode registers: PML4 at 0x",
                                                   absl::Hex(pml4_gpa), " is not 4 KiB-aligned"));
  }
  SpecialRegisters sregs = reset;
  sregs.cr0 = kLongModeCr0;
  sregs.cr3 = pml4_gpa;
  sregs.cr4 = kLongModeCr4;
  sregs.efer = kLongModeEfer;

  // In 64-bit mode the CPU ignores base and limit of CS, DS, ES and SS; they are still set flat
  // so that the state is also valid where a hypervisor checks them on entry.
  Segment code;
  code.base = 0;
  code.limit = 0xFFFFFFFF;
  code.selector = kCodeSelector;
  code.type = 0xB;  // execute/read, accessed
  code.present = true;
  code.dpl = 0;
  code.db = false;  // must be 0 when L is 1
  code.s = true;
  code.l = true;
  code.g = true;
  sregs.cs = code;

  Segment data = code;
  data.selector = kDataSelector;
  data.type = 0x3;  // read/write, accessed
  data.db = true;
  data.l = false;
  sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;

  Segment tss;
  tss.base = 0;
  tss.limit = 0x67;  // the size of a 64-bit TSS, minus 1
  tss.selector = reset.tr.selector;
  tss.type = 0xB;  // busy 64-bit TSS
  tss.present = true;
  tss.s = false;
  sregs.tr = tss;

  sregs.ldt = Segment{};  // not present: unusable
  return sregs;
}

}  // namespace vmbench::x86
