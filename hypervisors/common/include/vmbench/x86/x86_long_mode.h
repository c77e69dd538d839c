// x86-64 long-mode setup shared by the hypervisor backends and the sandbox runtime.
//
// A vmbench guest runs 64-bit code from its first instruction, with paging on and every
// guest-virtual address equal to its guest-physical address (an identity map with 2 MiB pages).
// This file writes those page tables into guest memory and computes the control and segment
// registers of that state. Every guest-physical address is a parameter: the layout of a particular
// guest (e.g. sandbox/include/vmbench/sandbox/guest_abi.h) belongs to the caller.
//
// Hardware facts are from the Intel SDM Vol. 3A: §2.5 (CR0, CR4), §2.2.1 and Table 2-1 (EFER),
// §4.5 and Tables 4-15, 4-17, 4-18 (4-level paging entries), §3.4.5 (segment descriptors).

#ifndef VMBENCH_X86_X86_LONG_MODE_H_
#define VMBENCH_X86_X86_LONG_MODE_H_

#include <cstdint>
#include <span>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "vmbench/plugin/hypervisor.h"

namespace vmbench::x86 {

inline constexpr std::uint64_t kPageSize = 0x1000;               // one paging structure
inline constexpr std::uint64_t kLargePageSize = 0x200000;        // mapped by one PDE (2 MiB)
inline constexpr std::uint64_t kPageDirectorySpan = 0x40000000;  // mapped by one PD (1 GiB)
inline constexpr std::uint64_t kMaxIdentityMapBytes = 4 * kPageDirectorySpan;  // 4 GiB

// Paging-structure entry bits.
inline constexpr std::uint64_t kPtePresent = 1ull << 0;
inline constexpr std::uint64_t kPteWritable = 1ull << 1;
inline constexpr std::uint64_t kPteAccessed = 1ull << 5;
inline constexpr std::uint64_t kPteDirty = 1ull << 6;
inline constexpr std::uint64_t kPteLargePage = 1ull << 7;  // PS: the PDE maps a 2 MiB page
// PML4 and PDPT entries pointing to the next table (0x23), and PDEs mapping a 2 MiB page (0xE3).
// Accessed and Dirty are preset so that the CPU's page walker never writes them back: otherwise
// the page-table pages themselves show up in dirty-page logs after any run.
inline constexpr std::uint64_t kTableEntryFlags = kPtePresent | kPteWritable | kPteAccessed;
inline constexpr std::uint64_t kLargePageEntryFlags = kTableEntryFlags | kPteDirty | kPteLargePage;

// Control-register and EFER bits of the long-mode state.
inline constexpr std::uint64_t kCr0ProtectionEnable = 1ull << 0;    // PE
inline constexpr std::uint64_t kCr0MonitorCoprocessor = 1ull << 1;  // MP
inline constexpr std::uint64_t kCr0ExtensionType = 1ull << 4;       // ET
inline constexpr std::uint64_t kCr0NumericError = 1ull << 5;        // NE
inline constexpr std::uint64_t kCr0WriteProtect = 1ull << 16;       // WP
inline constexpr std::uint64_t kCr0Paging = 1ull << 31;             // PG
inline constexpr std::uint64_t kCr4Pae = 1ull << 5;                 // PAE
inline constexpr std::uint64_t kCr4OsFxsr = 1ull << 9;              // OSFXSR (SSE enabled)
inline constexpr std::uint64_t kCr4OsXmmExcpt = 1ull << 10;         // OSXMMEXCPT
inline constexpr std::uint64_t kEferLongModeEnable = 1ull << 8;     // LME
inline constexpr std::uint64_t kEferLongModeActive = 1ull << 10;    // LMA
inline constexpr std::uint32_t kMsrEfer = 0xC0000080;

inline constexpr std::uint64_t kLongModeCr0 = kCr0ProtectionEnable | kCr0MonitorCoprocessor |
                                              kCr0ExtensionType | kCr0NumericError |
                                              kCr0WriteProtect | kCr0Paging;  // 0x80010033
// SSE is enabled because compilers emit SSE instructions freely in 64-bit code.
inline constexpr std::uint64_t kLongModeCr4 = kCr4Pae | kCr4OsFxsr | kCr4OsXmmExcpt;       // 0x620
inline constexpr std::uint64_t kLongModeEfer = kEferLongModeEnable | kEferLongModeActive;  // 0x500

// Selectors of the flat segments. No GDT is needed while the guest never reloads a segment
// register; the values match the usual GDT layout (null, code, data) for guests that build one.
inline constexpr std::uint16_t kCodeSelector = 0x08;
inline constexpr std::uint16_t kDataSelector = 0x10;

// Where the identity-mapping page tables go, as guest-physical addresses (4 KiB-aligned).
struct PageTableLayout {
  std::uint64_t pml4_gpa = 0;
  std::uint64_t pdpt_gpa = 0;
  std::uint64_t page_directory_gpa = 0;  // the first of PageDirectoryCount() consecutive pages
};

// A host buffer holding the guest-physical memory that starts at `gpa`.
struct GuestMemory {
  std::span<std::uint8_t> bytes;
  std::uint64_t gpa = 0;
};

// The number of page directories an identity map of `mapped_bytes` needs: one per GiB, rounded
// up (0 for 0 bytes).
std::uint64_t PageDirectoryCount(std::uint64_t mapped_bytes);

// Writes page tables that identity-map guest-physical [0, mapped_bytes), rounded up to 2 MiB:
// PML4 entry 0 points to the PDPT, PDPT entry i to page directory i, and PDE j of directory i
// maps the 2 MiB page at (i * 512 + j) * 2 MiB. Whole table pages are written, so every other
// entry is zero (stale entries from an earlier use of the memory never survive).
// InvalidArgument when `mapped_bytes` is 0 or above 4 GiB, when a table address is not
// 4 KiB-aligned, when two tables overlap, or when a table does not lie inside `memory`.
absl::Status WriteIdentityPageTables(GuestMemory memory, const PageTableLayout& layout,
                                     std::uint64_t mapped_bytes);

// The special registers of a vCPU running 64-bit code at CPL 0 with the page tables whose PML4 is
// at `pml4_gpa`. Starts from `reset`, the backend's own reset state (so fields this state does not
// define, such as APIC base, GDTR, IDTR and CR2, keep the backend's values), and overwrites:
//   CR0 = kLongModeCr0, CR3 = pml4_gpa, CR4 = kLongModeCr4, EFER = kLongModeEfer;
//   CS = flat 64-bit code (selector 0x08, type 0xB execute/read/accessed, S, P, L, G);
//   DS, ES, FS, GS, SS = flat data (selector 0x10, type 0x3 read/write/accessed, S, P, D/B, G);
//   TR = a busy 64-bit TSS (type 0xB, present, limit 0x67, base 0): VM entry on VMX and
//        Hyper-V rejects any other TR, even though the guest never uses it;
//   LDTR = unusable (not present).
// InvalidArgument when `pml4_gpa` is not 4 KiB-aligned.
absl::StatusOr<SpecialRegisters> LongModeSpecialRegisters(const SpecialRegisters& reset,
                                                          std::uint64_t pml4_gpa);

}  // namespace vmbench::x86

#endif  // VMBENCH_X86_X86_LONG_MODE_H_
