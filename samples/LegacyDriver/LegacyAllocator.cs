using PoolAnalyzers.Runtime;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.KIRQL;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace LegacyDriver;

/// <summary>
/// The allocation path of the driver's first release, before lookaside lists and the message zone:
/// every packet and message straight from pool. Selected by <see cref="DriverParameters.UseLegacyAllocator"/>,
/// which no supported configuration turns on; it stays so installations that still set the switch
/// keep loading, and goes with the next major version.
/// </summary>
/// <remarks>
/// The port from C kept the original calls as they were, mistakes included; the analyzers flag them.
/// </remarks>
internal static class LegacyAllocator
{
    /// <summary>The statistics block moved into the device extension; its size was zeroed rather than the call removed.</summary>
    private const uint StatisticsBlockBytes = 0;

    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static unsafe nint AllocatePacket() => ExAllocatePool(NonPagedPool, (nuint)sizeof(REQUEST_PACKET));

    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static void FreePacket(nint packet) => ExFreePool(packet);

    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint AllocateMessage(uint length) => ExAllocatePoolWithTag(NonPagedPool, length, "Legacy");

    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static void FreeMessage(nint message) => ExFreePool(message);

    [IrqlRequires(PASSIVE_LEVEL)]
    public static nint AllocateStatistics() => ExAllocatePoolWithTag(NonPagedPool, StatisticsBlockBytes, "LgSt");

    [IrqlRequires(PASSIVE_LEVEL)]
    public static void FreeStatistics(nint statistics) => ExFreePoolWithTag(statistics, "LgSt");
}
