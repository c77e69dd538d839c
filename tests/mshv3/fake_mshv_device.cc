#include "fake_mshv_device.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>
#include <variant>

namespace vmbench::fake_mshv {
namespace {

// The driver's numbers (include/uapi/linux/mshv.h, magic 0xB8), written out.
constexpr unsigned long kCreatePartition = 0x4010B800;
constexpr unsigned long kInitializePartition = 0xB800;
constexpr unsigned long kCreateVp = 0x4004B801;
constexpr unsigned long kSetGuestMemory = 0x4020B802;
constexpr unsigned long kGetGpapAccessBitmap = 0xC020B806;
constexpr unsigned long kRootHvcall = 0xC020B807;
constexpr unsigned long kRunVp = 0x8100B800;

constexpr std::uint16_t kGetPartitionProperty = 0x44;
constexpr std::uint16_t kSetPartitionProperty = 0x45;
constexpr std::uint16_t kGetVpRegisters = 0x50;
constexpr std::uint16_t kSetVpRegisters = 0x51;
constexpr std::uint16_t kStatusInvalidParameter = 0x5;
constexpr std::uint16_t kStatusInvalidPartitionState = 0x7;

constexpr std::uint32_t kSyntheticProcFeatures = 0x00010001;
constexpr std::uint32_t kGpaPageAccessTracking = 0x00050005;

constexpr std::uint64_t kPageSize = 0x1000;
constexpr std::uint32_t kMessageIoPort = 0x80010000;

// HV_X64_REGISTER_* names the hypervisor accepts, with the names the transcript prints.
const std::map<std::uint32_t, const char*>& RegisterNames() {
  static const auto* names = new std::map<std::uint32_t, const char*>{
      {0x20000, "RAX"},  {0x20001, "RCX"},    {0x20002, "RDX"},      {0x20003, "RBX"},
      {0x20004, "RSP"},  {0x20005, "RBP"},    {0x20006, "RSI"},      {0x20007, "RDI"},
      {0x20008, "R8"},   {0x20009, "R9"},     {0x2000A, "R10"},      {0x2000B, "R11"},
      {0x2000C, "R12"},  {0x2000D, "R13"},    {0x2000E, "R14"},      {0x2000F, "R15"},
      {0x20010, "RIP"},  {0x20011, "RFLAGS"}, {0x40000, "CR0"},      {0x40001, "CR2"},
      {0x40002, "CR3"},  {0x40003, "CR4"},    {0x40004, "CR8"},      {0x60000, "ES"},
      {0x60001, "CS"},   {0x60002, "SS"},     {0x60003, "DS"},       {0x60004, "FS"},
      {0x60005, "GS"},   {0x60006, "LDTR"},   {0x60007, "TR"},       {0x70000, "IDTR"},
      {0x70001, "GDTR"}, {0x80001, "EFER"},   {0x80003, "APIC_BASE"}};
  return *names;
}
constexpr std::uint32_t kRax = 0x20000;
constexpr std::uint32_t kRip = 0x20010;
constexpr std::uint32_t kRflags = 0x20011;

template <typename T>
T Load(const void* base, std::size_t offset) {
  T value;
  std::memcpy(&value, static_cast<const char*>(base) + offset, sizeof(T));
  return value;
}

template <typename T>
void Store(void* base, std::size_t offset, T value) {
  std::memcpy(static_cast<char*>(base) + offset, &value, sizeof(T));
}

bool AllZero(const void* base, std::size_t offset, std::size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(base) + offset;
  for (std::size_t i = 0; i < size; ++i) {
    if (bytes[i] != 0) return false;
  }
  return true;
}

std::string Hex(std::uint64_t value) {
  std::ostringstream out;
  out << "0x" << std::hex << value;
  return out.str();
}

struct Region {
  std::uint64_t gfn, pages, host;
  std::uint8_t flags;
};

struct Partition {
  bool initialized = false;
  bool tracking = false;
  std::vector<Region> regions;
  std::set<std::uint64_t> dirty;
  std::set<std::uint32_t> vps;
};

struct Vp {
  int partition_fd;
  std::uint32_t index;
  void* page = nullptr;  // the register page, once mapped
};

struct Block {
  int ignored_kicks;
};
using RunEvent = std::variant<std::array<std::uint8_t, 256>, Block>;

// Everything the fake knows, behind one mutex. Never destroyed: interposed calls may come from
// static destructors.
struct State {
  std::mutex mu;
  bool enabled = false;
  bool register_page = true;
  std::set<int> devices;
  std::map<int, Partition> partitions;
  std::map<int, Vp> vps;
  std::map<std::uint32_t, std::array<std::uint64_t, 2>> registers;  // of VP 0
  std::deque<RunEvent> runs;
  std::optional<std::uint16_t> fail_hvcall;
  int blocked_runs = 0;
  std::vector<std::string> transcript;
};

State& state() {
  static State* instance = new State;
  return *instance;
}

template <typename F>
F Real(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

using IoctlFn = int (*)(int, unsigned long, ...);
using OpenFn = int (*)(const char*, int, ...);
using OpenatFn = int (*)(int, const char*, int, ...);
using MmapFn = void* (*)(void*, std::size_t, int, int, int, off_t);
using CloseFn = int (*)(int);

int Fail(int error) {
  errno = error;
  return -1;
}

// A new object's descriptor: a real one, so that nothing else in the process reuses the number.
int NewDescriptor() { return ::eventfd(0, EFD_CLOEXEC); }

void Record(State& s, std::string line) { s.transcript.push_back(std::move(line)); }

// Makes the register page show the VP's registers, as the hypervisor does at an intercept.
void FillRegisterPage(State& s, Vp& vp) {
  if (vp.page == nullptr) return;
  Store<std::uint8_t>(vp.page, 2, 1);   // isvalid
  Store<std::uint32_t>(vp.page, 4, 0);  // dirty
  for (std::uint32_t i = 0; i < 16; ++i) Store(vp.page, 8 + 8 * i, s.registers[kRax + i][0]);
  Store(vp.page, 136, s.registers[kRip][0]);
  Store(vp.page, 144, s.registers[kRflags][0]);
}

// Loads what the host wrote to the register page (the dirty classes), as the hypervisor does when
// the VP runs.
void TakeRegisterPage(State& s, Vp& vp) {
  if (vp.page == nullptr) return;
  const auto dirty = Load<std::uint32_t>(vp.page, 4);
  if ((dirty & 1u) != 0) {
    for (std::uint32_t i = 0; i < 16; ++i) {
      s.registers[kRax + i] = {Load<std::uint64_t>(vp.page, 8 + 8 * i), 0};
    }
  }
  if ((dirty & 2u) != 0) s.registers[kRip] = {Load<std::uint64_t>(vp.page, 136), 0};
  if ((dirty & 16u) != 0) s.registers[kRflags] = {Load<std::uint64_t>(vp.page, 144), 0};
  Store<std::uint32_t>(vp.page, 4, 0);
}

int CreatePartition(State& s, void* arg) {
  const auto flags = Load<std::uint64_t>(arg, 0);
  const auto isolation = Load<std::uint64_t>(arg, 8);
  Record(s, "MSHV_CREATE_PARTITION pt_flags=" + Hex(flags) +
                " pt_isolation=" + std::to_string(isolation));
  if ((flags & ~std::uint64_t{0x7}) != 0 || isolation > 3) return Fail(EINVAL);
  const int fd = NewDescriptor();
  if (fd >= 0) s.partitions[fd] = Partition{};
  return fd;
}

int SetGuestMemory(State& s, Partition& partition, void* arg) {
  const auto size = Load<std::uint64_t>(arg, 0);
  const auto gfn = Load<std::uint64_t>(arg, 8);
  const auto host = Load<std::uint64_t>(arg, 16);
  const auto flags = Load<std::uint8_t>(arg, 24);
  std::string line = "MSHV_SET_GUEST_MEMORY gfn=" + Hex(gfn) + " size=" + Hex(size) + " flags=";
  line += (flags & 1) ? "W" : "-";
  line += (flags & 2) ? "X" : "-";
  line += (flags & 4) ? " unmap" : "";
  Record(s, line);
  if ((flags & ~0x7u) != 0 || !AllZero(arg, 25, 7) || size == 0 || size % kPageSize != 0 ||
      host % kPageSize != 0) {
    return Fail(EINVAL);
  }
  const Region region{gfn, size / kPageSize, host, static_cast<std::uint8_t>(flags & 0x3)};
  if ((flags & 4) != 0) {
    for (auto it = partition.regions.begin(); it != partition.regions.end(); ++it) {
      if (it->gfn == region.gfn && it->pages == region.pages && it->host == region.host) {
        partition.regions.erase(it);
        return 0;
      }
    }
    return Fail(ENOENT);
  }
  for (const Region& other : partition.regions) {
    const bool gpa_overlap = gfn < other.gfn + other.pages && other.gfn < gfn + region.pages;
    const bool host_overlap =
        host < other.host + other.pages * kPageSize && other.host < host + size;
    if (gpa_overlap || host_overlap) return Fail(EEXIST);
  }
  partition.regions.push_back(region);
  return 0;
}

int CreateVp(State& s, int partition_fd, Partition& partition, void* arg) {
  const auto index = Load<std::uint32_t>(arg, 0);
  Record(s, "MSHV_CREATE_VP vp_index=" + std::to_string(index));
  if (!partition.initialized) return Fail(EINVAL);
  if (!partition.vps.insert(index).second) return Fail(EEXIST);
  const int fd = NewDescriptor();
  if (fd >= 0) s.vps[fd] = Vp{partition_fd, index};
  return fd;
}

// Writes the bitmap of [base, base + count) and applies `op` (1 clear, 2 set).
int GpapAccessBitmap(State& s, Partition& partition, void* arg) {
  const auto type = Load<std::uint8_t>(arg, 0);
  const auto op = Load<std::uint8_t>(arg, 1);
  const auto count = Load<std::uint64_t>(arg, 8);
  const auto base = Load<std::uint64_t>(arg, 16);
  auto* bitmap = reinterpret_cast<unsigned char*>(Load<std::uint64_t>(arg, 24));
  Record(s, std::string("MSHV_GET_GPAP_ACCESS_BITMAP ") + (type == 1 ? "dirty" : "accessed") +
                (op == 1   ? " clear"
                 : op == 2 ? " set"
                           : "") +
                " base=" + Hex(base) + " count=" + std::to_string(count));
  if (type != 1 || op > 2 || !AllZero(arg, 2, 6) || count == 0 || bitmap == nullptr) {
    return Fail(EINVAL);
  }
  if (!partition.tracking) return Fail(EPERM);
  std::memset(bitmap, 0, (count + 7) / 8);
  for (std::uint64_t i = 0; i < count; ++i) {
    if (partition.dirty.count(base + i) != 0) bitmap[i / 8] |= 1u << (i % 8);
    if (op == 1) partition.dirty.erase(base + i);
    if (op == 2) partition.dirty.insert(base + i);
  }
  return 0;
}

// MSHV_ROOT_HVCALL. On a hypervisor failure the status goes back in the argument and the call
// fails with EIO, as the driver's hv_result_to_errno does for most statuses.
int Hvcall(State& s, std::optional<int> vp_fd, Partition& partition, void* arg) {
  const auto code = Load<std::uint16_t>(arg, 0);
  const auto reps = Load<std::uint16_t>(arg, 2);
  const auto in_size = Load<std::uint16_t>(arg, 4);
  const auto out_size = Load<std::uint16_t>(arg, 6);
  const auto* in = reinterpret_cast<const unsigned char*>(Load<std::uint64_t>(arg, 16));
  auto* out = reinterpret_cast<unsigned char*>(Load<std::uint64_t>(arg, 24));
  auto finish = [&](std::uint16_t status, std::uint16_t done) {
    Store<std::uint16_t>(arg, 8, status);
    Store<std::uint16_t>(arg, 2, done);
    return status == 0 ? 0 : Fail(EIO);
  };
  if (!AllZero(arg, 10, 6) || in_size > 4096 || out_size > 4096 || in == nullptr) {
    Record(s, "MSHV_ROOT_HVCALL malformed");
    return Fail(EINVAL);
  }
  std::string line = "MSHV_ROOT_HVCALL ";
  if (code == kSetPartitionProperty || code == kGetPartitionProperty) {
    const auto property = Load<std::uint32_t>(in, 8);
    line += code == kSetPartitionProperty ? "SET_PARTITION_PROPERTY " : "GET_PARTITION_PROPERTY ";
    line += Hex(property);
    if (code == kSetPartitionProperty) line += "=" + Hex(Load<std::uint64_t>(in, 16));
    Record(s, line);
    // Setting a property is asynchronous in the driver, so only the partition's descriptor may.
    if (vp_fd.has_value() || code != kSetPartitionProperty || in_size != 24 || reps != 0) {
      return Fail(EINVAL);
    }
    if (s.fail_hvcall) return finish(*std::exchange(s.fail_hvcall, std::nullopt), 0);
    const auto value = Load<std::uint64_t>(in, 16);
    if (property == kSyntheticProcFeatures && partition.initialized) {
      return finish(kStatusInvalidPartitionState, 0);
    }
    if (property == kGpaPageAccessTracking) {
      // Turning tracking on reports every mapped page dirty until the host clears it: the
      // backend must not take pages written before tracking for pages written since.
      partition.tracking = (value & 1) != 0;
      for (const Region& region : partition.regions) {
        for (std::uint64_t i = 0; i < region.pages; ++i) partition.dirty.insert(region.gfn + i);
      }
    }
    return finish(0, 0);
  }
  if (code != kGetVpRegisters && code != kSetVpRegisters) {
    Record(s, "MSHV_ROOT_HVCALL code " + Hex(code));
    return Fail(EINVAL);
  }
  const bool set = code == kSetVpRegisters;
  line += set ? "SET_VP_REGISTERS" : "GET_VP_REGISTERS";
  const std::size_t element = set ? 32 : 4;
  const bool sizes_ok = reps > 0 && in_size == 16 + element * reps &&
                        out_size == (set ? 0 : 16 * reps) && (set || out != nullptr);
  if (!vp_fd.has_value() || !sizes_ok) {
    Record(s, line + " with reps=" + std::to_string(reps) + " in_sz=" + std::to_string(in_size) +
                  " out_sz=" + std::to_string(out_size));
    return Fail(EINVAL);
  }
  const Vp& vp = s.vps.at(*vp_fd);
  std::string names;
  for (std::uint16_t i = 0; i < reps; ++i) {
    const auto name = Load<std::uint32_t>(in, 16 + element * i);
    const auto known = RegisterNames().find(name);
    names += (i == 0 ? " " : ",");
    names += known == RegisterNames().end() ? Hex(name) : known->second;
  }
  Record(s, line + names);
  if (s.fail_hvcall) return finish(*std::exchange(s.fail_hvcall, std::nullopt), 0);
  if (Load<std::uint32_t>(in, 8) != vp.index || Load<std::uint8_t>(in, 12) != 0) {
    return finish(kStatusInvalidParameter, 0);
  }
  for (std::uint16_t i = 0; i < reps; ++i) {
    const auto name = Load<std::uint32_t>(in, 16 + element * i);
    if (RegisterNames().count(name) == 0) return finish(kStatusInvalidParameter, i);
    if (set) {
      s.registers[name] = {Load<std::uint64_t>(in, 16 + 32 * i + 16),
                           Load<std::uint64_t>(in, 16 + 32 * i + 24)};
    } else {
      const std::array<std::uint64_t, 2> value = s.registers[name];
      std::memcpy(out + 16 * i, value.data(), 16);
    }
  }
  return finish(0, reps);
}

// MSHV_RUN_VP: the next scripted event. Called with the lock held; releases it while blocked.
int RunVp(std::unique_lock<std::mutex>& lock, State& s, Vp& vp, void* arg) {
  TakeRegisterPage(s, vp);
  Record(s, "MSHV_RUN_VP rip=" + Hex(s.registers[kRip][0]));
  if (s.runs.empty()) {
    Record(s, "MSHV_RUN_VP with nothing scripted");
    return Fail(EIO);
  }
  RunEvent event = std::move(s.runs.front());
  s.runs.pop_front();
  if (const auto* message = std::get_if<std::array<std::uint8_t, 256>>(&event)) {
    std::memcpy(arg, message->data(), message->size());
    s.registers[kRip] = {Load<std::uint64_t>(arg, 16 + 24), 0};
    s.registers[kRflags] = {Load<std::uint64_t>(arg, 16 + 32), 0};
    if (Load<std::uint32_t>(arg, 0) == kMessageIoPort) {
      s.registers[kRax] = {Load<std::uint64_t>(arg, 16 + 48), 0};
    }
    FillRegisterPage(s, vp);
    return 0;
  }
  const int ignored = std::get<Block>(event).ignored_kicks;
  int kicks = 0;
  ++s.blocked_runs;
  lock.unlock();
  const timespec tick{0, 1000000};
  for (int waited = 0; waited < 10000; ++waited) {
    if (::nanosleep(&tick, nullptr) != 0 && errno == EINTR && ++kicks > ignored) break;
  }
  lock.lock();
  --s.blocked_runs;
  if (kicks <= ignored) {
    Record(s, "MSHV_RUN_VP never interrupted");
    return Fail(EIO);
  }
  Record(s, "MSHV_RUN_VP interrupted by kick " + std::to_string(kicks) + " (" +
                std::to_string(ignored) + " lost)");
  return Fail(EINTR);
}

int HandleIoctl(int fd, unsigned long request, void* arg) {
  State& s = state();
  std::unique_lock lock(s.mu);
  if (s.devices.count(fd) != 0) {
    if (request == kCreatePartition) return CreatePartition(s, arg);
    Record(s, "/dev/mshv: unknown ioctl " + Hex(request));
    return Fail(ENOTTY);
  }
  if (const auto it = s.partitions.find(fd); it != s.partitions.end()) {
    Partition& partition = it->second;
    switch (request) {
      case kInitializePartition:
        Record(s, "MSHV_INITIALIZE_PARTITION");
        if (partition.initialized) return Fail(EINVAL);
        partition.initialized = true;
        return 0;
      case kSetGuestMemory:
        return SetGuestMemory(s, partition, arg);
      case kCreateVp:
        return CreateVp(s, fd, partition, arg);
      case kGetGpapAccessBitmap:
        return GpapAccessBitmap(s, partition, arg);
      case kRootHvcall:
        return Hvcall(s, std::nullopt, partition, arg);
      default:
        Record(s, "partition: unknown ioctl " + Hex(request));
        return Fail(ENOTTY);
    }
  }
  Vp& vp = s.vps.at(fd);
  if (request == kRootHvcall) return Hvcall(s, fd, s.partitions.at(vp.partition_fd), arg);
  if (request == kRunVp) return RunVp(lock, s, vp, arg);
  Record(s, "VP: unknown ioctl " + Hex(request));
  return Fail(ENOTTY);
}

bool IsFake(int fd) {
  State& s = state();
  std::lock_guard lock(s.mu);
  return s.devices.count(fd) != 0 || s.partitions.count(fd) != 0 || s.vps.count(fd) != 0;
}

int OpenDevice() {
  State& s = state();
  std::lock_guard lock(s.mu);
  if (!s.enabled) return Fail(ENOENT);
  const int fd = NewDescriptor();
  if (fd >= 0) {
    s.devices.insert(fd);
    Record(s, "open /dev/mshv");
  }
  return fd;
}

bool IsDevicePath(const char* path) {
  return path != nullptr && std::string_view(path) == "/dev/mshv";
}

}  // namespace

void Reset(bool enabled, bool register_page) {
  State& s = state();
  std::lock_guard lock(s.mu);
  s.enabled = enabled;
  s.register_page = register_page;
  s.registers.clear();
  s.runs.clear();
  s.fail_hvcall.reset();
  s.transcript.clear();
}

void QueueMessage(const std::array<std::uint8_t, 256>& message) {
  State& s = state();
  std::lock_guard lock(s.mu);
  s.runs.emplace_back(message);
}

void QueueBlockUntilKicked(int ignored_kicks) {
  State& s = state();
  std::lock_guard lock(s.mu);
  s.runs.emplace_back(Block{ignored_kicks});
}

int BlockedRuns() {
  State& s = state();
  std::lock_guard lock(s.mu);
  return s.blocked_runs;
}

void FailNextHvcall(std::uint16_t status) {
  State& s = state();
  std::lock_guard lock(s.mu);
  s.fail_hvcall = status;
}

void DirtyGuestPage(std::uint64_t gfn) {
  State& s = state();
  std::lock_guard lock(s.mu);
  for (auto& [fd, partition] : s.partitions) {
    for (const Region& region : partition.regions) {
      if (gfn >= region.gfn && gfn < region.gfn + region.pages && partition.tracking) {
        partition.dirty.insert(gfn);
      }
    }
  }
}

std::optional<std::array<std::uint64_t, 2>> Register(std::uint32_t name) {
  State& s = state();
  std::lock_guard lock(s.mu);
  const auto it = s.registers.find(name);
  if (it == s.registers.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> TakeTranscript() {
  State& s = state();
  std::lock_guard lock(s.mu);
  return std::exchange(s.transcript, {});
}

}  // namespace vmbench::fake_mshv

// The interposed C library functions. Each hands a call on to the real function unless it is
// about /dev/mshv or one of the fake's descriptors.
using namespace vmbench::fake_mshv;  // NOLINT: the definitions below are extern "C"

extern "C" {

__attribute__((visibility("default"))) int open(const char* path, int flags, ...) {
  if (IsDevicePath(path)) return OpenDevice();
  va_list args;
  va_start(args, flags);
  const auto mode = static_cast<mode_t>(va_arg(args, int));
  va_end(args);
  static const auto real = Real<OpenFn>("open");
  return real(path, flags, mode);
}

__attribute__((visibility("default"))) int open64(const char* path, int flags, ...) {
  if (IsDevicePath(path)) return OpenDevice();
  va_list args;
  va_start(args, flags);
  const auto mode = static_cast<mode_t>(va_arg(args, int));
  va_end(args);
  static const auto real = Real<OpenFn>("open64");
  return real(path, flags, mode);
}

__attribute__((visibility("default"))) int openat(int dir, const char* path, int flags, ...) {
  if (IsDevicePath(path)) return OpenDevice();
  va_list args;
  va_start(args, flags);
  const auto mode = static_cast<mode_t>(va_arg(args, int));
  va_end(args);
  static const auto real = Real<OpenatFn>("openat");
  return real(dir, path, flags, mode);
}

__attribute__((visibility("default"))) int ioctl(int fd, unsigned long request, ...) {
  va_list args;
  va_start(args, request);
  void* arg = va_arg(args, void*);
  va_end(args);
  if (IsFake(fd)) return HandleIoctl(fd, request, arg);
  static const auto real = Real<IoctlFn>("ioctl");
  return real(fd, request, arg);
}

__attribute__((visibility("default"))) void* mmap(void* address, std::size_t length, int prot,
                                                  int flags, int fd, off_t offset) {
  static const auto real = Real<MmapFn>("mmap");
  if (fd < 0 || !IsFake(fd)) return real(address, length, prot, flags, fd, offset);
  State& s = state();
  std::lock_guard lock(s.mu);
  const auto vp = s.vps.find(fd);
  Record(s, "mmap VP register page offset=" + std::to_string(offset));
  if (vp == s.vps.end() || offset != 0 || length != kPageSize || (flags & MAP_SHARED) == 0) {
    errno = EINVAL;
    return MAP_FAILED;
  }
  if (!s.register_page) {
    errno = ENODEV;
    return MAP_FAILED;
  }
  void* page = real(nullptr, kPageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (page != MAP_FAILED) vp->second.page = page;
  return page;
}

__attribute__((visibility("default"))) int close(int fd) {
  {
    State& s = state();
    std::lock_guard lock(s.mu);
    if (s.devices.erase(fd) != 0) Record(s, "close /dev/mshv");
    if (s.partitions.erase(fd) != 0) Record(s, "close partition");
    if (const auto vp = s.vps.find(fd); vp != s.vps.end()) {
      Record(s, "close VP");
      if (const auto partition = s.partitions.find(vp->second.partition_fd);
          partition != s.partitions.end()) {
        partition->second.vps.erase(vp->second.index);
      }
      s.vps.erase(vp);
    }
  }
  static const auto real = Real<CloseFn>("close");
  return real(fd);
}

}  // extern "C"
