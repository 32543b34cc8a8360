namespace PoolAnalyzers;

/// <summary>What a runtime routine does, as the rules see it. One value per kind of call a rule treats differently.</summary>
internal enum RoutineKind
{
    /// <summary>Allocates pool: <c>ExAllocatePool*</c>.</summary>
    Allocate,

    /// <summary>Returns a pool block: <c>ExFreePool*</c>.</summary>
    Free,

    /// <summary>Initializes a lookaside list.</summary>
    LookasideInitialize,

    /// <summary>Takes an entry from a lookaside list.</summary>
    LookasideAllocate,

    /// <summary>Returns an entry to a lookaside list.</summary>
    LookasideFree,

    /// <summary>Deletes a lookaside list, freeing its cached entries.</summary>
    LookasideDelete,

    /// <summary>Initializes a zone on its first segment.</summary>
    ZoneInitialize,

    /// <summary>Adds a segment to a zone.</summary>
    ZoneExtend,

    /// <summary>Takes a block from a zone.</summary>
    ZoneAllocate,

    /// <summary>Returns a block to a zone.</summary>
    ZoneFree,

    /// <summary>Reads a zone's state.</summary>
    ZoneQuery,

    /// <summary>Reads the current IRQL.</summary>
    IrqlQuery,

    /// <summary>Raises the IRQL, saving the old level.</summary>
    IrqlRaise,

    /// <summary>Lowers the IRQL to a saved level.</summary>
    IrqlLower,

    /// <summary>Initializes a spin lock.</summary>
    SpinLockInitialize,

    /// <summary>Acquires a spin lock (raising to DISPATCH_LEVEL unless an …AtDpcLevel form).</summary>
    SpinLockAcquire,

    /// <summary>Releases a spin lock (restoring the saved IRQL unless a …FromDpcLevel form).</summary>
    SpinLockRelease,

    /// <summary>Initializes a DPC with its deferred routine.</summary>
    DpcInitialize,

    /// <summary>Queues a DPC.</summary>
    DpcQueue,

    /// <summary>Removes a queued DPC.</summary>
    DpcDequeue,

    /// <summary>Waits until every queued DPC has run.</summary>
    DpcFlush,

    /// <summary>Chooses the processor a DPC runs on.</summary>
    DpcTarget,

    /// <summary>Initializes a timer.</summary>
    TimerInitialize,

    /// <summary>Sets a timer, optionally queuing a DPC when it expires.</summary>
    TimerSet,

    /// <summary>Cancels a timer.</summary>
    TimerCancel,

    /// <summary>Reads a timer's state.</summary>
    TimerQuery,

    /// <summary>Fills memory: <c>RtlZeroMemory</c>, <c>RtlFillMemory</c>.</summary>
    MemoryFill,

    /// <summary>Copies memory.</summary>
    MemoryCopy,

    /// <summary>Compares memory.</summary>
    MemoryCompare,

    /// <summary>Reads a property of the system: memory size, product type, processors.</summary>
    SystemQuery,

    /// <summary>Configures the driver's runtime (<c>ExInitializeDriverRuntime</c>).</summary>
    DriverInitialize,

    /// <summary>Stops the machine.</summary>
    BugCheck,
}
