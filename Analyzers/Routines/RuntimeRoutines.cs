using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using static PoolAnalyzers.RoutineKind;
using static PoolAnalyzers.RoutinePool;
using static PoolAnalyzers.RoutineTraits;

namespace PoolAnalyzers;

/// <summary>
/// Every public routine of the runtime's <c>Ex</c>, <c>Ke</c>, <c>Mm</c> and <c>Rtl</c>, one row each:
/// the one place the rules learn what a routine does and which parameter carries what.
/// </summary>
/// <remarks>
/// A rule asks <see cref="RuntimeSymbols.Classify"/> for the row of a call and reads its roles, so a
/// new routine is one row here, and every rule that reads the row's kind and roles covers it.
/// Parameters are named as the runtime names them (the WDK's names); name only the roles the routine
/// has. <c>RuntimeRoutineContractTests</c> fails when a row names a routine or parameter the runtime
/// lacks, gives a role a parameter of the wrong type, or when a public routine has no row.
/// </remarks>
internal static class RuntimeRoutines
{
    /// <summary>The runtime's static classes that hold routines (namespace <c>PoolAnalyzers.Runtime</c>).</summary>
    public static ImmutableArray<string> Components { get; } = ["Ex", "Ke", "Mm", "Rtl"];

    public static ImmutableArray<RuntimeRoutine> All { get; } =
    [
        // Ex: pool allocation (KERNEL-FACTS §3). The untagged two tag every block "None" (POOL001); their
        // replacement's replacement is the modern routine (POOL001's ExAllocatePool2 fix).
        new("Ex", "ExAllocatePool", Allocate, Argument, poolType: "PoolType", size: "NumberOfBytes", replacement: "ExAllocatePoolWithTag"),
        new("Ex", "ExAllocatePoolWithQuota", Allocate, Argument, poolType: "PoolType", size: "NumberOfBytes", replacement: "ExAllocatePoolWithQuotaTag", traits: Quota),
        // The tagged three are deprecated in turn (Windows 10 2004): their replacements take POOL_FLAGS (POOL007).
        new("Ex", "ExAllocatePoolWithTag", Allocate, Argument, poolType: "PoolType", size: "NumberOfBytes", tag: "Tag", replacement: "ExAllocatePool2"),
        new("Ex", "ExAllocatePoolWithQuotaTag", Allocate, Argument, poolType: "PoolType", size: "NumberOfBytes", tag: "Tag", replacement: "ExAllocatePool2", traits: Quota),
        new("Ex", "ExAllocatePoolWithTagPriority", Allocate, Argument, poolType: "PoolType", size: "NumberOfBytes", tag: "Tag", priority: "Priority", replacement: "ExAllocatePool3"),

        // Ex: the modern pool API (§9): POOL_FLAGS, zeroed unless POOL_FLAG_UNINITIALIZED, NULL on failure.
        new("Ex", "ExAllocatePool2", Allocate, Argument, poolFlags: "Flags", size: "NumberOfBytes", tag: "Tag", traits: Zeroed),
        new("Ex", "ExAllocatePool3", Allocate, Argument, poolFlags: "Flags", size: "NumberOfBytes", tag: "Tag", traits: Zeroed),
        new("Ex", "ExFreePool2", Free, block: "P", tag: "Tag"),

        // Ex: the down-level helpers of wdm.h, built on the tagged routines above.
        new("Ex", "ExAllocatePoolZero", Allocate, Argument, poolType: "PoolType", size: "NumberOfBytes", tag: "Tag", traits: Zeroed),
        new("Ex", "ExAllocatePoolUninitialized", Allocate, Argument, poolType: "PoolType", size: "NumberOfBytes", tag: "Tag"),
        new("Ex", "ExAllocatePoolQuotaZero", Allocate, Argument, poolType: "PoolType", size: "NumberOfBytes", tag: "Tag", traits: Quota | Zeroed),
        new("Ex", "ExAllocatePoolQuotaUninitialized", Allocate, Argument, poolType: "PoolType", size: "NumberOfBytes", tag: "Tag", traits: Quota),
        new("Ex", "ExAllocatePoolPriorityZero", Allocate, Argument, poolType: "PoolType", size: "NumberOfBytes", tag: "Tag", priority: "Priority", traits: Zeroed),
        new("Ex", "ExAllocatePoolPriorityUninitialized", Allocate, Argument, poolType: "PoolType", size: "NumberOfBytes", tag: "Tag", priority: "Priority"),

        new("Ex", "ExFreePool", Free, block: "P"),
        new("Ex", "ExFreePoolWithTag", Free, block: "P", tag: "Tag"),

        // Ex: lookaside lists (§4). The paged twins run only at IRQL <= APC_LEVEL.
        new("Ex", "ExInitializeNPagedLookasideList", LookasideInitialize, NonPaged, target: "Lookaside", typeModifiers: "Flags", size: "Size", tag: "Tag", allocator: "Allocate"),
        new("Ex", "ExAllocateFromNPagedLookasideList", LookasideAllocate, NonPaged, target: "Lookaside"),
        new("Ex", "ExFreeToNPagedLookasideList", LookasideFree, NonPaged, target: "Lookaside", block: "Entry"),
        new("Ex", "ExDeleteNPagedLookasideList", LookasideDelete, NonPaged, target: "Lookaside"),
        new("Ex", "ExInitializePagedLookasideList", LookasideInitialize, Paged, target: "Lookaside", typeModifiers: "Flags", size: "Size", tag: "Tag", allocator: "Allocate"),
        new("Ex", "ExAllocateFromPagedLookasideList", LookasideAllocate, Paged, target: "Lookaside"),
        new("Ex", "ExFreeToPagedLookasideList", LookasideFree, Paged, target: "Lookaside", block: "Entry"),
        new("Ex", "ExDeletePagedLookasideList", LookasideDelete, Paged, target: "Lookaside"),

        // Ex: zones (§5), obsolete: lookaside lists replace them. Zones carve caller-provided segments.
        new("Ex", "ExInitializeZone", ZoneInitialize, target: "Zone", size: "BlockSize", segmentSize: "InitialSegmentSize", replacement: "ExInitializeNPagedLookasideList", traits: Obsolete),
        new("Ex", "ExExtendZone", ZoneExtend, target: "Zone", segmentSize: "SegmentSize", traits: Obsolete),
        new("Ex", "ExInterlockedExtendZone", ZoneExtend, target: "Zone", segmentSize: "SegmentSize", traits: Obsolete | Interlocked),
        new("Ex", "ExAllocateFromZone", ZoneAllocate, target: "Zone", replacement: "ExAllocateFromNPagedLookasideList", traits: Obsolete),
        new("Ex", "ExInterlockedAllocateFromZone", ZoneAllocate, target: "Zone", replacement: "ExAllocateFromNPagedLookasideList", traits: Obsolete | Interlocked),
        new("Ex", "ExFreeToZone", ZoneFree, target: "Zone", block: "Block", replacement: "ExFreeToNPagedLookasideList", traits: Obsolete),
        new("Ex", "ExInterlockedFreeToZone", ZoneFree, target: "Zone", block: "Block", replacement: "ExFreeToNPagedLookasideList", traits: Obsolete | Interlocked),
        new("Ex", "ExIsFullZone", ZoneQuery, target: "Zone", traits: Obsolete),
        new("Ex", "ExIsObjectInFirstZoneSegment", ZoneQuery, target: "Zone", traits: Obsolete),

        // Ke: IRQL and spin locks (§7). Saved and restored levels are marked in metadata ([IrqlSaves], [IrqlRestores]).
        new("Ke", "KeGetCurrentIrql", IrqlQuery),
        new("Ke", "KeRaiseIrql", IrqlRaise, irql: "NewIrql"),
        new("Ke", "KeRaiseIrqlToDpcLevel", IrqlRaise),
        new("Ke", "KeLowerIrql", IrqlLower),
        new("Ke", "KeInitializeSpinLock", SpinLockInitialize, target: "SpinLock"),
        new("Ke", "KeAcquireSpinLock", SpinLockAcquire, target: "SpinLock"),
        new("Ke", "KeReleaseSpinLock", SpinLockRelease, target: "SpinLock"),
        new("Ke", "KeAcquireSpinLockAtDpcLevel", SpinLockAcquire, target: "SpinLock", traits: AtDpcLevel),
        new("Ke", "KeReleaseSpinLockFromDpcLevel", SpinLockRelease, target: "SpinLock", traits: AtDpcLevel),
        new("Ke", "KeAcquireInStackQueuedSpinLock", SpinLockAcquire, target: "SpinLock", handle: "LockHandle", traits: Queued),
        new("Ke", "KeReleaseInStackQueuedSpinLock", SpinLockRelease, handle: "LockHandle", traits: Queued),
        new("Ke", "KeAcquireInStackQueuedSpinLockAtDpcLevel", SpinLockAcquire, target: "SpinLock", handle: "LockHandle", traits: Queued | AtDpcLevel),
        new("Ke", "KeReleaseInStackQueuedSpinLockFromDpcLevel", SpinLockRelease, handle: "LockHandle", traits: Queued | AtDpcLevel),

        // Ke: DPCs on the emulated processors and the processor queries (§10). Deferred routines run at DISPATCH_LEVEL.
        new("Ke", "KeInitializeDpc", DpcInitialize, target: "Dpc", routine: "DeferredRoutine"),
        new("Ke", "KeInsertQueueDpc", DpcQueue, target: "Dpc"),
        new("Ke", "KeRemoveQueueDpc", DpcDequeue, target: "Dpc"),
        new("Ke", "KeFlushQueuedDpcs", DpcFlush),
        new("Ke", "KeSetTargetProcessorDpc", DpcTarget, target: "Dpc"),
        new("Ke", "KeGetCurrentProcessorNumber", SystemQuery),
        new("Ke", "KeQueryActiveProcessorCount", SystemQuery),
        new("Ke", "KeQueryActiveProcessors", SystemQuery),

        // Ke: timers (§10). Expiry queues the timer's DPC.
        new("Ke", "KeInitializeTimer", TimerInitialize, target: "Timer"),
        new("Ke", "KeSetTimer", TimerSet, target: "Timer", dpc: "Dpc"),
        new("Ke", "KeSetTimerEx", TimerSet, target: "Timer", dpc: "Dpc"),
        new("Ke", "KeCancelTimer", TimerCancel, target: "Timer"),
        new("Ke", "KeReadStateTimer", TimerQuery, target: "Timer"),
        new("Ke", "KeBugCheckEx", BugCheck),

        // Ex: the NX opt-in (POOL_NX_OPTIN): ExDefaultNonPagedPoolType becomes NonPagedPoolNx.
        new("Ex", "ExInitializeDriverRuntime", DriverInitialize),

        // Rtl: memory routines, any IRQL on resident memory.
        new("Rtl", "RtlZeroMemory", MemoryFill, block: "Destination", length: "Length", traits: Zeroed),
        new("Rtl", "RtlFillMemory", MemoryFill, block: "Destination", length: "Length"),
        new("Rtl", "RtlCopyMemory", MemoryCopy, block: "Destination", length: "Length"),
        new("Rtl", "RtlMoveMemory", MemoryCopy, block: "Destination", length: "Length"),
        new("Rtl", "RtlCompareMemory", MemoryCompare, length: "Length"),

        // Mm: system queries (§6).
        new("Mm", "MmQuerySystemSize", SystemQuery),
        new("Mm", "MmIsThisAnNtAsSystem", SystemQuery, traits: Obsolete),
    ];

    private static readonly Dictionary<string, RuntimeRoutine> s_byName = Index(All);

    private static readonly int s_longestComponent = Components.Max(name => name.Length);

    /// <summary>True when <paramref name="typeName"/> is the name of one of the <see cref="Components"/>.</summary>
    public static bool IsComponentName(string typeName)
    {
        // Nearly every type a call names is longer than every component: one comparison says so.
        if (typeName.Length > s_longestComponent)
        {
            return false;
        }

        foreach (string component in Components)
        {
            if (string.Equals(component, typeName, System.StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The row of routine <paramref name="name"/> of <paramref name="component"/>, or null.</summary>
    public static RuntimeRoutine? Find(string component, string name)
        => s_byName.TryGetValue(name, out RuntimeRoutine? row) && row.Component == component ? row : null;

    /// <summary>The row of the routine named <paramref name="name"/> in any component, or null: for a first look at syntax, before binding.</summary>
    public static RuntimeRoutine? FindByName(string name) => s_byName.TryGetValue(name, out RuntimeRoutine? row) ? row : null;

    /// <summary>
    /// The row of <paramref name="method"/> when it belongs to a class of the runtime's namespace, matched by
    /// full name: for code fixes, which have no compilation-wide <see cref="RuntimeSymbols"/> at hand. Analyzers
    /// use <see cref="RuntimeSymbols.Classify"/>, which also tells the runtime from a project's own copy.
    /// </summary>
    public static RuntimeRoutine? Find(IMethodSymbol? method)
        => method is { IsStatic: true, ContainingType: { } type } && RuntimeSymbols.IsRuntimeType(type, type.Name)
            ? Find(type.Name, method.Name)
            : null;

    /// <summary>
    /// The allocation routine that takes <c>POOL_FLAGS</c> and replaces <paramref name="row"/>, following
    /// replacements (<c>ExAllocatePool</c> → <c>ExAllocatePoolWithTag</c> → <c>ExAllocatePool2</c>); null
    /// when <paramref name="row"/> takes no pool type or the chain ends without one.
    /// </summary>
    public static RuntimeRoutine? ModernReplacement(RuntimeRoutine row)
    {
        if (row is not { Kind: RoutineKind.Allocate, PoolType: not null })
        {
            return null;
        }

        // The chain is short (two steps at most); the bound keeps a cycle in a bad row from looping.
        RuntimeRoutine? current = row;
        for (int step = 0; step < 4 && current?.Replacement is { } replacement; step++)
        {
            current = Find(current.Component, replacement);
            if (current is { PoolFlags: not null })
            {
                return current;
            }
        }

        return null;
    }

    // Routine names carry their component's prefix, so the name alone is a key. A duplicate row keeps the
    // first (the contract test reports it); nothing here may throw inside a compiler.
    private static Dictionary<string, RuntimeRoutine> Index(ImmutableArray<RuntimeRoutine> rows)
    {
        var index = new Dictionary<string, RuntimeRoutine>(rows.Length, System.StringComparer.Ordinal);
        foreach (RuntimeRoutine row in rows)
        {
            if (!index.ContainsKey(row.Name))
            {
                index.Add(row.Name, row);
            }
        }

        return index;
    }
}
