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

    /// <inheritdoc/>
    public override string ToString() => Component + "." + Name;
}
