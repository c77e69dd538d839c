// The parts of the MSHV user-space ABI this backend uses, defined here from the documented facts.
//
// Two sources, neither of which Debian 12 ships:
//   - Linux's include/uapi/linux/mshv.h (upstream since 6.15, the "mshv3" ioctl numbers): the
//     ioctls on /dev/mshv, on a partition and on a VP, and their argument structures;
//   - the Microsoft Hypervisor's ABI (the Hypervisor Top-Level Functional Specification, TLFS):
//     hypercall codes and status values, partition properties, register names, the layout of
//     register values and of the intercept messages a VP run returns.
// The kernel's own copies of the hypervisor headers (include/hyperv/hv*.h) are GPL-2.0 without the
// syscall note, so nothing is included or copied from them: every structure below is written from
// the field lists in shared/reference/backends.md (section 2), with its size and field offsets
// checked by static_assert, and every ioctl number is computed with the kernel's own _IO* macros
// and checked against the number the kernel computes.

#ifndef VMBENCH_HYPERVISORS_MSHV3_MSHV_ABI_H_
#define VMBENCH_HYPERVISORS_MSHV3_MSHV_ABI_H_

#include <sys/ioctl.h>

#include <cstddef>
#include <cstdint>

namespace vmbench::mshv {

inline constexpr const char* kDevicePath = "/dev/mshv";
inline constexpr std::uint64_t kPageSize = 0x1000;

// ---------------------------------------------------------------------------------------------
// ioctl arguments (include/uapi/linux/mshv.h)

// MSHV_CREATE_PARTITION, on /dev/mshv. Returns the partition's file descriptor.
struct CreatePartition {
  std::uint64_t pt_flags;      // kPartitionFlag* bits
  std::uint64_t pt_isolation;  // kIsolationNone
};
static_assert(sizeof(CreatePartition) == 16);
static_assert(offsetof(CreatePartition, pt_isolation) == 8);

// pt_flags bits: an emulated local APIC (and x2APIC), 2 MiB GPA mappings. vmbench guests take no
// interrupts and must halt to the host, so none is set (as in Hyperlight).
inline constexpr std::uint64_t kPartitionFlagLapic = 1ull << 0;
inline constexpr std::uint64_t kPartitionFlagX2Apic = 1ull << 1;
inline constexpr std::uint64_t kPartitionFlagGpaSuperPages = 1ull << 2;
inline constexpr std::uint64_t kIsolationNone = 0;

// MSHV_SET_GUEST_MEMORY, on a partition: maps (or, with kMemoryUnmap, unmaps) host memory as
// guest-physical memory. size and userspace_addr 4 KiB-aligned; no overlap in GPA or host range.
struct UserMemoryRegion {
  std::uint64_t size;
  std::uint64_t guest_pfn;
  std::uint64_t userspace_addr;
  std::uint8_t flags;  // kMemory* bits
  std::uint8_t reserved[7];
};
static_assert(sizeof(UserMemoryRegion) == 32);
static_assert(offsetof(UserMemoryRegion, guest_pfn) == 8);
static_assert(offsetof(UserMemoryRegion, userspace_addr) == 16);
static_assert(offsetof(UserMemoryRegion, flags) == 24);

inline constexpr std::uint8_t kMemoryWritable = 1u << 0;
inline constexpr std::uint8_t kMemoryExecutable = 1u << 1;
inline constexpr std::uint8_t kMemoryUnmap = 1u << 2;

// MSHV_CREATE_VP, on an initialized partition. Returns the VP's file descriptor.
struct CreateVp {
  std::uint32_t vp_index;
};
static_assert(sizeof(CreateVp) == 4);

// MSHV_ROOT_HVCALL, on a partition or a VP: a hypercall passed through to the hypervisor (the
// kernel fills in the partition id and allows a fixed list of codes). in/out at most 4 KiB each.
// On return `status` is the hypervisor's HV_STATUS and `reps` the repetitions completed.
struct RootHvcall {
  std::uint16_t code;
  std::uint16_t reps;
  std::uint16_t in_sz;
  std::uint16_t out_sz;
  std::uint16_t status;
  std::uint8_t reserved[6];
  std::uint64_t in_ptr;
  std::uint64_t out_ptr;
};
static_assert(sizeof(RootHvcall) == 32);
static_assert(offsetof(RootHvcall, status) == 8);
static_assert(offsetof(RootHvcall, in_ptr) == 16);
static_assert(offsetof(RootHvcall, out_ptr) == 24);
inline constexpr std::size_t kMaxHvcallBytes = 4096;

// MSHV_GET_GPAP_ACCESS_BITMAP, on a partition: one bit per guest page in
// [gpap_base, gpap_base + page_count) of the requested access type, then `access_op` applied.
struct GpapAccessBitmap {
  std::uint8_t access_type;  // kGpapAccessType*
  std::uint8_t access_op;    // kGpapAccessOp*
  std::uint8_t reserved[6];
  std::uint64_t page_count;
  std::uint64_t gpap_base;   // a guest page frame number
  std::uint64_t bitmap_ptr;  // at least (page_count + 7) / 8 bytes
};
static_assert(sizeof(GpapAccessBitmap) == 32);
static_assert(offsetof(GpapAccessBitmap, page_count) == 8);
static_assert(offsetof(GpapAccessBitmap, gpap_base) == 16);
static_assert(offsetof(GpapAccessBitmap, bitmap_ptr) == 24);

inline constexpr std::uint8_t kGpapAccessTypeAccessed = 0;
inline constexpr std::uint8_t kGpapAccessTypeDirty = 1;
inline constexpr std::uint8_t kGpapAccessOpNoop = 0;
inline constexpr std::uint8_t kGpapAccessOpClear = 1;
inline constexpr std::uint8_t kGpapAccessOpSet = 2;
// rust-vmm's mshv-ioctls queries at most this many pages per ioctl (the kernel allocates a byte of
// state per page and call).
inline constexpr std::uint64_t kGpapBatchPages = 0x10000;

// MSHV_RUN_VP fills this buffer with the hypervisor's message (an hv_message) for the intercept
// that stopped the VP.
inline constexpr std::size_t kMessageSize = 256;
struct MessageBuffer {
  std::uint8_t bytes[kMessageSize];
};

// mmap offsets (in pages) of a VP's file descriptor: the register page, shared with the hypervisor.
inline constexpr std::uint64_t kVpMmapOffsetRegisters = 0;

// The mshv3 ioctl numbers (magic 0xB8). Partition, VP and device ioctls reuse the same numbers and
// are told apart by the file descriptor.
inline constexpr unsigned kIoctlMagic = 0xB8;
inline constexpr unsigned long kIoctlCreatePartition = _IOW(kIoctlMagic, 0x00, CreatePartition);
inline constexpr unsigned long kIoctlInitializePartition = _IO(kIoctlMagic, 0x00);
inline constexpr unsigned long kIoctlCreateVp = _IOW(kIoctlMagic, 0x01, CreateVp);
inline constexpr unsigned long kIoctlSetGuestMemory = _IOW(kIoctlMagic, 0x02, UserMemoryRegion);
inline constexpr unsigned long kIoctlGetGpapAccessBitmap =
    _IOWR(kIoctlMagic, 0x06, GpapAccessBitmap);
inline constexpr unsigned long kIoctlRootHvcall = _IOWR(kIoctlMagic, 0x07, RootHvcall);
inline constexpr unsigned long kIoctlRunVp = _IOR(kIoctlMagic, 0x00, MessageBuffer);
static_assert(kIoctlCreatePartition == 0x4010B800);
static_assert(kIoctlInitializePartition == 0xB800);
static_assert(kIoctlCreateVp == 0x4004B801);
static_assert(kIoctlSetGuestMemory == 0x4020B802);
static_assert(kIoctlGetGpapAccessBitmap == 0xC020B806);
static_assert(kIoctlRootHvcall == 0xC020B807);
static_assert(kIoctlRunVp == 0x8100B800);

// ---------------------------------------------------------------------------------------------
// Hypercalls (TLFS)

inline constexpr std::uint16_t kHvcallGetPartitionProperty = 0x0044;
inline constexpr std::uint16_t kHvcallSetPartitionProperty = 0x0045;
inline constexpr std::uint16_t kHvcallGetVpRegisters = 0x0050;
inline constexpr std::uint16_t kHvcallSetVpRegisters = 0x0051;

// HV_STATUS values (TLFS, "Hypercall status codes").
inline constexpr std::uint16_t kHvStatusSuccess = 0x0000;
inline constexpr std::uint16_t kHvStatusInvalidHypercallCode = 0x0002;
inline constexpr std::uint16_t kHvStatusInvalidHypercallInput = 0x0003;
inline constexpr std::uint16_t kHvStatusInvalidAlignment = 0x0004;
inline constexpr std::uint16_t kHvStatusInvalidParameter = 0x0005;
inline constexpr std::uint16_t kHvStatusAccessDenied = 0x0006;
inline constexpr std::uint16_t kHvStatusInvalidPartitionState = 0x0007;
inline constexpr std::uint16_t kHvStatusOperationDenied = 0x0008;
inline constexpr std::uint16_t kHvStatusUnknownProperty = 0x0009;
inline constexpr std::uint16_t kHvStatusPropertyValueOutOfRange = 0x000A;
inline constexpr std::uint16_t kHvStatusInsufficientMemory = 0x000B;
inline constexpr std::uint16_t kHvStatusInvalidVpIndex = 0x000E;
inline constexpr std::uint16_t kHvStatusInvalidRegisterValue = 0x0050;

// Partition properties.
inline constexpr std::uint32_t kPropertySyntheticProcFeatures = 0x00010001;
inline constexpr std::uint32_t kPropertyGpaPageAccessTracking = 0x00050005;

// HVCALL_SET_PARTITION_PROPERTY's input (the kernel overwrites partition_id).
struct SetPartitionPropertyInput {
  std::uint64_t partition_id;
  std::uint32_t property_code;
  std::uint32_t padding;
  std::uint64_t property_value;
};
static_assert(sizeof(SetPartitionPropertyInput) == 24);
static_assert(offsetof(SetPartitionPropertyInput, property_code) == 8);
static_assert(offsetof(SetPartitionPropertyInput, property_value) == 16);

// The header of HVCALL_GET/SET_VP_REGISTERS' input; GET follows it with u32 register names, SET
// with RegisterAssoc elements, one per repetition.
struct VpRegistersInputHeader {
  std::uint64_t partition_id;
  std::uint32_t vp_index;
  std::uint8_t input_vtl;
  std::uint8_t reserved8;
  std::uint16_t reserved16;
};
static_assert(sizeof(VpRegistersInputHeader) == 16);
static_assert(offsetof(VpRegistersInputHeader, vp_index) == 8);
static_assert(offsetof(VpRegistersInputHeader, input_vtl) == 12);

// hv_register_value: 16 bytes, read as a 64-bit value (low), a segment or a table register.
struct RegisterValue {
  std::uint64_t low;
  std::uint64_t high;
};
static_assert(sizeof(RegisterValue) == 16);

// hv_x64_segment_register, in a RegisterValue or an intercept message.
struct SegmentRegister {
  std::uint64_t base;
  std::uint32_t limit;
  std::uint16_t selector;
  std::uint16_t attributes;  // see vmbench/x86/hyperv_x64.h
};
static_assert(sizeof(SegmentRegister) == 16);
static_assert(offsetof(SegmentRegister, limit) == 8);
static_assert(offsetof(SegmentRegister, selector) == 12);
static_assert(offsetof(SegmentRegister, attributes) == 14);

// hv_x64_table_register (GDTR, IDTR), in a RegisterValue.
struct TableRegister {
  std::uint16_t pad[3];
  std::uint16_t limit;
  std::uint64_t base;
};
static_assert(sizeof(TableRegister) == 16);
static_assert(offsetof(TableRegister, limit) == 6);
static_assert(offsetof(TableRegister, base) == 8);

// hv_register_assoc: one register of HVCALL_SET_VP_REGISTERS.
struct RegisterAssoc {
  std::uint32_t name;
  std::uint32_t reserved1;
  std::uint64_t reserved2;
  RegisterValue value;
};
static_assert(sizeof(RegisterAssoc) == 32);
static_assert(offsetof(RegisterAssoc, value) == 16);

// The most registers one GET/SET hypercall can carry in its 4 KiB input.
inline constexpr std::size_t kMaxRegistersPerSet =
    (kMaxHvcallBytes - sizeof(VpRegistersInputHeader)) / sizeof(RegisterAssoc);
static_assert(kMaxRegistersPerSet == 127);

// x64 register names (HV_X64_REGISTER_*). Not WHP's numbering, although both are Hyper-V.
enum RegisterName : std::uint32_t {
  kRax = 0x00020000,
  kRcx = 0x00020001,
  kRdx = 0x00020002,
  kRbx = 0x00020003,
  kRsp = 0x00020004,
  kRbp = 0x00020005,
  kRsi = 0x00020006,
  kRdi = 0x00020007,
  kR8 = 0x00020008,
  kR9 = 0x00020009,
  kR10 = 0x0002000A,
  kR11 = 0x0002000B,
  kR12 = 0x0002000C,
  kR13 = 0x0002000D,
  kR14 = 0x0002000E,
  kR15 = 0x0002000F,
  kRip = 0x00020010,
  kRflags = 0x00020011,
  kCr0 = 0x00040000,
  kCr2 = 0x00040001,
  kCr3 = 0x00040002,
  kCr4 = 0x00040003,
  kCr8 = 0x00040004,
  kEs = 0x00060000,
  kCs = 0x00060001,
  kSs = 0x00060002,
  kDs = 0x00060003,
  kFs = 0x00060004,
  kGs = 0x00060005,
  kLdtr = 0x00060006,
  kTr = 0x00060007,
  kIdtr = 0x00070000,
  kGdtr = 0x00070001,
  kEfer = 0x00080001,
  kApicBase = 0x00080003,
};

// hv_vp_register_page: the page a VP's file descriptor maps at kVpMmapOffsetRegisters. The
// hypervisor fills it at every intercept and sets `isvalid`; the host may then read the general
// registers, RIP and RFLAGS there, and write them by setting the class's bit in `dirty`, which the
// hypervisor picks up on the next run (control registers are read-only there).
struct RegisterPage {
  std::uint16_t version;
  std::uint8_t isvalid;
  std::uint8_t reserved;
  std::uint32_t dirty;             // 1 << kRegisterClass*
  std::uint64_t gp_registers[16];  // RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15
  std::uint64_t rip;
  std::uint64_t rflags;
};
static_assert(offsetof(RegisterPage, dirty) == 4);
static_assert(offsetof(RegisterPage, gp_registers) == 8);
static_assert(offsetof(RegisterPage, rip) == 136);
static_assert(offsetof(RegisterPage, rflags) == 144);

inline constexpr std::uint32_t kRegisterClassGeneral = 0;
inline constexpr std::uint32_t kRegisterClassIp = 1;
inline constexpr std::uint32_t kRegisterClassFlags = 4;

// ---------------------------------------------------------------------------------------------
// Messages (hv_message) returned by MSHV_RUN_VP

inline constexpr std::uint32_t kMessageUnmappedGpa = 0x80000000;
inline constexpr std::uint32_t kMessageGpaIntercept = 0x80000001;
inline constexpr std::uint32_t kMessageUnrecoverableException = 0x80000021;
inline constexpr std::uint32_t kMessageIoPortIntercept = 0x80010000;
inline constexpr std::uint32_t kMessageHalt = 0x80010007;

struct MessageHeader {
  std::uint32_t message_type;
  std::uint8_t payload_size;
  std::uint8_t message_flags;
  std::uint8_t reserved[2];
  std::uint64_t sender;
};
static_assert(sizeof(MessageHeader) == 16);
inline constexpr std::size_t kMessagePayloadSize = kMessageSize - sizeof(MessageHeader);

// hv_x64_intercept_message_header: the start of every x64 intercept payload.
struct InterceptHeader {
  std::uint32_t vp_index;
  std::uint8_t instruction_length_cr8;  // instruction_length:4 (low bits), cr8:4
  std::uint8_t intercept_access_type;   // kAccess*
  std::uint16_t execution_state;
  SegmentRegister cs;
  std::uint64_t rip;
  std::uint64_t rflags;
};
static_assert(sizeof(InterceptHeader) == 40);
static_assert(offsetof(InterceptHeader, instruction_length_cr8) == 4);
static_assert(offsetof(InterceptHeader, intercept_access_type) == 5);
static_assert(offsetof(InterceptHeader, cs) == 8);
static_assert(offsetof(InterceptHeader, rip) == 24);
static_assert(offsetof(InterceptHeader, rflags) == 32);

inline constexpr std::uint8_t kAccessRead = 0;
inline constexpr std::uint8_t kAccessWrite = 1;
inline constexpr std::uint8_t kAccessExecute = 2;

// hv_x64_io_port_intercept_message.
struct IoPortIntercept {
  InterceptHeader header;
  std::uint16_t port_number;
  std::uint8_t access_info;  // access_size:3 | string_op:1 | rep_prefix:1
  std::uint8_t instruction_byte_count;
  std::uint32_t reserved;
  std::uint64_t rax;
  std::uint8_t instruction_bytes[16];
  SegmentRegister ds;
  SegmentRegister es;
  std::uint64_t rcx;
  std::uint64_t rsi;
  std::uint64_t rdi;
};
static_assert(sizeof(IoPortIntercept) == 128);
static_assert(offsetof(IoPortIntercept, port_number) == 40);
static_assert(offsetof(IoPortIntercept, access_info) == 42);
static_assert(offsetof(IoPortIntercept, instruction_byte_count) == 43);
static_assert(offsetof(IoPortIntercept, rax) == 48);
static_assert(offsetof(IoPortIntercept, instruction_bytes) == 56);
static_assert(offsetof(IoPortIntercept, ds) == 72);
static_assert(offsetof(IoPortIntercept, es) == 88);
static_assert(offsetof(IoPortIntercept, rcx) == 104);
static_assert(offsetof(IoPortIntercept, rdi) == 120);

inline constexpr std::uint8_t kIoAccessSizeMask = 0x7;
inline constexpr std::uint8_t kIoAccessStringOp = 1u << 3;
inline constexpr std::uint8_t kIoAccessRepPrefix = 1u << 4;

// hv_x64_memory_intercept_message (unmapped GPA, GPA intercept).
struct MemoryIntercept {
  InterceptHeader header;
  std::uint32_t cache_type;
  std::uint8_t instruction_byte_count;
  std::uint8_t memory_access_info;
  std::uint8_t tpr_priority;
  std::uint8_t reserved;
  std::uint64_t guest_virtual_address;
  std::uint64_t guest_physical_address;
  std::uint8_t instruction_bytes[16];
};
static_assert(sizeof(MemoryIntercept) == 80);
static_assert(offsetof(MemoryIntercept, instruction_byte_count) == 44);
static_assert(offsetof(MemoryIntercept, guest_virtual_address) == 48);
static_assert(offsetof(MemoryIntercept, guest_physical_address) == 56);

static_assert(sizeof(IoPortIntercept) <= kMessagePayloadSize);

}  // namespace vmbench::mshv

#endif  // VMBENCH_HYPERVISORS_MSHV3_MSHV_ABI_H_
