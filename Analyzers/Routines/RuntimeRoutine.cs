namespace PoolAnalyzers;

/// <summary>
/// One row of <see cref="RuntimeRoutines"/>: a runtime routine, what it does, and which of its
/// parameters (by WDK name) play the roles the rules read. A role is null when the routine has no
/// such parameter. The contract test in Analyzers.Test checks every row against the runtime's real
/// methods, so a renamed parameter fails a test instead of silently switching a rule off.
/// </summary>
internal sealed class RuntimeRoutine
{
    /// <param name="component">The static class holding the routine: <c>Ex</c>, <c>Ke</c>, <c>Mm</c> or <c>Rtl</c>.</param>
    /// <param name="name">The routine's name.</param>
    /// <param name="kind">What it does.</param>
    /// <param name="pool">Which pool its memory comes from.</param>
    /// <param name="poolType">The <c>POOL_TYPE</c> parameter.</param>
    /// <param name="poolFlags">The <c>POOL_FLAGS</c> parameter.</param>
    /// <param name="typeModifiers">The <c>uint</c> of <c>POOL_TYPE</c> modifier bits a lookaside initializer ORs into its list's type.</param>
    /// <param name="size">The byte count the pool must provide: allocation size, lookaside entry size, zone block size.</param>
    /// <param name="segmentSize">The size of a zone segment.</param>
    /// <param name="length">The byte count of a memory routine (fill, copy, compare); 0 is legal there.</param>
    /// <param name="tag">The <c>PoolTag</c> parameter.</param>
    /// <param name="priority">The <c>EX_POOL_PRIORITY</c> parameter.</param>
    /// <param name="target">The caller-allocated structure the routine works on: lookaside list, zone, spin lock, DPC, timer.</param>
    /// <param name="block">The memory handed over: the block freed, the entry returned, the destination filled.</param>
    /// <param name="routine">The deferred routine a DPC runs.</param>
    /// <param name="dpc">The DPC a timer queues when it expires.</param>
    /// <param name="allocator">The allocate routine a lookaside list calls on a miss (null: <c>ExAllocatePoolWithTag</c>).</param>
    /// <param name="irql">The <c>KIRQL</c> a raise goes to, for a routine whose metadata cannot say it (<c>KeRaiseIrql</c>'s <c>NewIrql</c>).</param>
    /// <param name="handle">The <c>KLOCK_QUEUE_HANDLE</c> an in-stack queued spin lock routine fills or reads.</param>
    /// <param name="replacement">The runtime routine that supersedes this one, named in messages and written by fixes.</param>
    /// <param name="traits">Facts that cut across the kind.</param>
    public RuntimeRoutine(
        string component,
        string name,
        RoutineKind kind,
        RoutinePool pool = RoutinePool.None,
        string? poolType = null,
        string? poolFlags = null,
        string? typeModifiers = null,
        string? size = null,
        string? segmentSize = null,
        string? length = null,
        string? tag = null,
        string? priority = null,
        string? target = null,
        string? block = null,
        string? routine = null,
        string? dpc = null,
        string? allocator = null,
        string? irql = null,
        string? handle = null,
        string? replacement = null,
        RoutineTraits traits = RoutineTraits.None)
    {
        Component = component;
        Name = name;
        Kind = kind;
        Pool = pool;
        PoolType = poolType;
        PoolFlags = poolFlags;
        TypeModifiers = typeModifiers;
        Size = size;
        SegmentSize = segmentSize;
        Length = length;
        Tag = tag;
        Priority = priority;
        Target = target;
        Block = block;
        Routine = routine;
        Dpc = dpc;
        Allocator = allocator;
        Irql = irql;
        Handle = handle;
        Replacement = replacement;
        Traits = traits;
    }

    public string Component { get; }

    public string Name { get; }

    public RoutineKind Kind { get; }

    public RoutinePool Pool { get; }

    public string? PoolType { get; }

    public string? PoolFlags { get; }

    public string? TypeModifiers { get; }

    public string? Size { get; }

    public string? SegmentSize { get; }

    public string? Length { get; }

    public string? Tag { get; }

    public string? Priority { get; }

    public string? Target { get; }

    public string? Block { get; }

    public string? Routine { get; }

    public string? Dpc { get; }

    public string? Allocator { get; }

    public string? Irql { get; }

    public string? Handle { get; }

    public string? Replacement { get; }

    public RoutineTraits Traits { get; }

    /// <summary>An allocation that takes no tag (<c>ExAllocatePool</c>, <c>ExAllocatePoolWithQuota</c>): every block is tagged "None".</summary>
    public bool IsUntaggedAllocation => Kind == RoutineKind.Allocate && Tag is null;

    public bool Has(RoutineTraits traits) => (Traits & traits) == traits;

    /// <summary>Hands out a block the caller must give back: pool allocations, lookaside entries, zone blocks.</summary>
    public bool ReturnsBlock => Kind is RoutineKind.Allocate or RoutineKind.LookasideAllocate or RoutineKind.ZoneAllocate;

    /// <summary>Takes back a block handed out by a <see cref="ReturnsBlock"/> routine of its family (its <see cref="Block"/> argument).</summary>
    public bool ReleasesBlock => Kind is RoutineKind.Free or RoutineKind.LookasideFree or RoutineKind.ZoneFree;

    /// <summary>Reads or writes the memory its pointer arguments point to (the <c>Rtl</c> memory routines).</summary>
    public bool TouchesMemory => Kind is RoutineKind.MemoryFill or RoutineKind.MemoryCopy or RoutineKind.MemoryCompare;

    /// <summary>
    /// Whether a failed call raises instead of returning NULL, given the constant of its <see cref="PoolType"/> or
    /// <see cref="PoolFlags"/> argument; null when the routine can return NULL but the argument is not a constant.
    /// </summary>
    /// <remarks>
    /// KERNEL-FACTS §3 and §9: <c>POOL_RAISE_IF_ALLOCATION_FAILURE</c> (16) in a pool type and
    /// <c>POOL_FLAG_RAISE_ON_FAILURE</c> (0x20) in pool flags make the call raise; the quota routines raise
    /// unless <c>POOL_QUOTA_FAIL_INSTEAD_OF_RAISE</c> (8) is set. Lookaside entries and zone blocks are NULL
    /// when the list's allocate callback fails or the zone is empty (a list initialized with the raise
    /// modifier raises, which the rules read from its initializer, not from this row).
    /// </remarks>
    public bool? RaisesOnFailure(long? typeOrFlags)
    {
        if (Kind != RoutineKind.Allocate)
        {
            return false;
        }

        if (typeOrFlags is not { } value)
        {
            return null;
        }

        if (PoolFlags is not null)
        {
            return (value & RaiseOnFailureFlag) != 0;
        }

        return (value & RaiseIfAllocationFailure) != 0 || (Has(RoutineTraits.Quota) && (value & QuotaFailInsteadOfRaise) == 0);
    }

    /// <summary><c>POOL_QUOTA_FAIL_INSTEAD_OF_RAISE</c>.</summary>
    public const long QuotaFailInsteadOfRaise = 8;

    /// <summary><c>POOL_RAISE_IF_ALLOCATION_FAILURE</c>, also the lookaside initializers' raise modifier.</summary>
    public const long RaiseIfAllocationFailure = 16;

    /// <summary><c>POOL_FLAG_RAISE_ON_FAILURE</c>.</summary>
    public const long RaiseOnFailureFlag = 0x20;

    /// <inheritdoc/>
    public override string ToString() => Component + "." + Name;
}
