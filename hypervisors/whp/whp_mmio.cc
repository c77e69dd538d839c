#include "whp_mmio.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

namespace vmbench::whp {
namespace {

// What the callbacks of one Decode share.
struct DecodeState {
  const WhpApi* api;
  WHV_PARTITION_HANDLE partition;
  const GuestMemoryLookup* lookup;
  bool recorded = false;
  WHV_EMULATOR_MEMORY_ACCESS_INFO access{};
};

DecodeState& StateOf(void* context) { return *static_cast<DecodeState*>(context); }

// Direction of WHV_EMULATOR_MEMORY_ACCESS_INFO: 0 reads guest memory, 1 writes it.
constexpr UINT8 kEmulatorWrite = 1;

HRESULT CALLBACK OnMemory(void* context, WHV_EMULATOR_MEMORY_ACCESS_INFO* access) {
  DecodeState& state = StateOf(context);
  const std::size_t size = std::min<std::size_t>(access->AccessSize, sizeof(access->Data));
  const bool write = access->Direction == kEmulatorWrite;
  if (std::uint8_t* host = (*state.lookup)(access->GpaAddress, size, write)) {
    // Backed memory: reads see it; writes are dropped, because nothing of the instruction may
    // take effect.
    if (!write) std::memcpy(access->Data, host, size);
    return S_OK;
  }
  // The access that made the guest exit (an instruction has at most one that is not backed).
  if (!state.recorded) {
    state.recorded = true;
    state.access = *access;
  }
  if (!write) std::memset(access->Data, 0, sizeof(access->Data));
  return S_OK;
}

HRESULT CALLBACK OnIoPort(void* /*context*/, WHV_EMULATOR_IO_ACCESS_INFO* /*access*/) {
  // Only TryMmioEmulation is used, and a memory-access instruction does no port I/O.
  return E_UNEXPECTED;
}

HRESULT CALLBACK OnGetRegisters(void* context, const WHV_REGISTER_NAME* names, UINT32 count,
                                WHV_REGISTER_VALUE* values) {
  DecodeState& state = StateOf(context);
  return state.api->WHvGetVirtualProcessorRegisters(state.partition, 0, names, count, values);
}

HRESULT CALLBACK OnSetRegisters(void* /*context*/, const WHV_REGISTER_NAME* /*names*/,
                                UINT32 /*count*/, const WHV_REGISTER_VALUE* /*values*/) {
  // Discarded: this is what makes the emulation a decode only. RIP stays at the instruction and
  // a load's destination register keeps its value.
  return S_OK;
}

HRESULT CALLBACK OnTranslateGvaPage(void* context, WHV_GUEST_VIRTUAL_ADDRESS gva,
                                    WHV_TRANSLATE_GVA_FLAGS flags,
                                    WHV_TRANSLATE_GVA_RESULT_CODE* result,
                                    WHV_GUEST_PHYSICAL_ADDRESS* gpa) {
  DecodeState& state = StateOf(context);
  WHV_TRANSLATE_GVA_RESULT translation{};
  const HRESULT hresult =
      state.api->WHvTranslateGva(state.partition, 0, gva, flags, &translation, gpa);
  *result = translation.ResultCode;
  return hresult;
}

}  // namespace

WhpResult<std::unique_ptr<MmioDecoder>> MmioDecoder::Create(const WhpApi& api,
                                                            WHV_PARTITION_HANDLE partition) {
  WHV_EMULATOR_CALLBACKS callbacks{};
  callbacks.Size = sizeof(callbacks);
  callbacks.WHvEmulatorIoPortCallback = &OnIoPort;
  callbacks.WHvEmulatorMemoryCallback = &OnMemory;
  callbacks.WHvEmulatorGetVirtualProcessorRegisters = &OnGetRegisters;
  callbacks.WHvEmulatorSetVirtualProcessorRegisters = &OnSetRegisters;
  callbacks.WHvEmulatorTranslateGvaPage = &OnTranslateGvaPage;
  WHV_EMULATOR_HANDLE emulator = nullptr;
  if (const HRESULT hresult = api.WHvEmulatorCreateEmulator(&callbacks, &emulator);
      FAILED(hresult)) {
    return WhpStatus::Failed("WHvEmulatorCreateEmulator", hresult);
  }
  return std::unique_ptr<MmioDecoder>(new MmioDecoder(api, partition, emulator));
}

MmioDecoder::~MmioDecoder() { api_.WHvEmulatorDestroyEmulator(emulator_); }

WhpResult<VcpuExit> MmioDecoder::Decode(const WHV_RUN_VP_EXIT_CONTEXT& exit,
                                        const GuestMemoryLookup& lookup) {
  DecodeState state{.api = &api_, .partition = partition_, .lookup = &lookup};
  WHV_EMULATOR_STATUS status{};
  const HRESULT hresult = api_.WHvEmulatorTryMmioEmulation(emulator_, &state, &exit.VpContext,
                                                           &exit.MemoryAccess, &status);
  if (FAILED(hresult)) return WhpStatus::Failed("WHvEmulatorTryMmioEmulation", hresult);
  if (!state.recorded) {
    char flags[16];
    std::snprintf(flags, sizeof(flags), "0x%x", static_cast<unsigned>(status.AsUINT32));
    return VcpuExit(FaultExit{
        .kind = FaultExit::Kind::kInternalError,
        .rip = exit.VpContext.Rip,
        .detail = "whp: the guest accessed unbacked guest-physical address " +
                  Hex(exit.MemoryAccess.Gpa) +
                  ", and WinHvEmulation could not decode the instruction (WHV_EMULATOR_STATUS " +
                  flags + ") at rip " + Hex(exit.VpContext.Rip)});
  }
  MmioExit mmio{.gpa = state.access.GpaAddress,
                .size = static_cast<std::uint8_t>(
                    std::min<std::size_t>(state.access.AccessSize, sizeof(state.access.Data))),
                .is_write = state.access.Direction == kEmulatorWrite};
  // Little-endian, like the guest's operand.
  if (mmio.is_write) std::memcpy(&mmio.value, state.access.Data, mmio.size);
  return VcpuExit(mmio);
}

}  // namespace vmbench::whp
