using PoolAnalyzers.Runtime;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.KIRQL;
using static PoolAnalyzers.Runtime.Mm;
using static PoolAnalyzers.Runtime.POOL_FLAGS;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace LegacyDriver;

/// <summary>
/// The first piece of the driver's port to the modern pool API (Windows 10, version 2004): message
/// buffers from a lookaside list instead of the zone, request headers, trace records and the
/// statistics block from <c>ExAllocatePool2</c>. Not wired in yet: <see cref="Driver.DriverEntry"/>
/// still sets up the zone, and switches to this path when the port is complete.
/// </summary>
/// <remarks>
/// Each routine keeps one mistake the first draft of such a port makes, the way it was written; the
/// analyzers flag them. This file targets Windows 10, version 2004 and later, so the sample's
/// <c>.editorconfig</c> raises the two Info rules, POOL007 and POOL012, to warnings here: ported code
/// must not fall back on deprecated or obsolete routines.
/// </remarks>
internal static class ModernPort
{
    /// <summary>
    /// The C source allocated headers with <c>ExAllocatePool</c>, which the DDK header's macro turns into
    /// a call with the default tag <c>"Ddk "</c>; the port wrote that tag out, so headers still cannot be
    /// told apart from any other driver's in a pool dump (POOL005).
    /// </summary>
    private const string HeaderTag = "Ddk ";

    public static readonly PoolTag MessageTag = "LgMs";
    public static readonly PoolTag StatisticsTag = "LgSt";

    /// <summary>
    /// Message buffers come from a lookaside list, which replaces the zone. Flags 0 was copied from the
    /// paged context list's initialization: without POOL_NX_ALLOCATION the list allocates executable
    /// nonpaged pool (POOL006).
    /// </summary>
    [IrqlRequires(PASSIVE_LEVEL)]
    public static void InitializeMessageLookaside(NPAGED_LOOKASIDE_LIST messages)
        => ExInitializeNPagedLookasideList(messages, null, null, 0, DeviceExtension.MessageBlockSize, MessageTag, 0);

    [IrqlRequires(PASSIVE_LEVEL)]
    public static void DeleteMessageLookaside(NPAGED_LOOKASIDE_LIST messages) => ExDeleteNPagedLookasideList(messages);

    /// <summary>Servers keep longer traces. The check came over from the C source unchanged (POOL012: a version query replaces it).</summary>
    [IrqlRequires(PASSIVE_LEVEL)]
    public static uint TraceRecordBytes() => MmIsThisAnNtAsSystem() ? 4096u : 1024u;

    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint AllocateHeader(uint length) => ExAllocatePool2(POOL_FLAG_NON_PAGED, length, HeaderTag);

    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static void FreeHeader(nint header) => ExFreePoolWithTag(header, HeaderTag);

    /// <summary>
    /// The draft passed the old call's <c>NonPagedPoolNx</c> on, and added the cast when the compiler
    /// refused a POOL_TYPE for POOL_FLAGS. C compiles the same mistake without one: 512 is
    /// POOL_FLAG_RESERVED2 with no pool flag, so every call fails (POOL008).
    /// </summary>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint AllocateTraceRecord(uint length) => ExAllocatePool2((POOL_FLAGS)NonPagedPoolNx, length, DeviceExtension.TraceTag);

    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static void FreeTraceRecord(nint record) => ExFreePool2(record, DeviceExtension.TraceTag, null, 0);

    /// <summary>The statistics block, moved over from the legacy allocator with its deprecated call (POOL007).</summary>
    [IrqlRequires(PASSIVE_LEVEL)]
    public static nint AllocateStatistics(uint length) => ExAllocatePoolWithTag(NonPagedPoolNx, length, StatisticsTag);

    [IrqlRequires(PASSIVE_LEVEL)]
    public static void FreeStatistics(nint statistics) => ExFreePool2(statistics, StatisticsTag, null, 0);
}
