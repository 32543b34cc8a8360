using System;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// A deferred procedure call object. Caller-allocated, initialized with <c>KeInitializeDpc</c>
/// (which ties it to the current <see cref="KernelSystem"/>), queued with <c>KeInsertQueueDpc</c> or
/// by a timer, and run once per queueing on an emulated processor at DISPATCH_LEVEL.
/// </summary>
public sealed class KDPC
{
    // Queue state, guarded by the lock of the processor the DPC is queued on. QueuedOn moves from
    // null to a processor only by compare-exchange under that processor's lock, so two processors
    // racing to queue the same DPC cannot both succeed.
    internal DpcProcessor? QueuedOn;
    internal KDPC? Next;
    internal KDPC? Previous;

    /// <summary>The processor's insertion count when this DPC was queued: DPCs run in this order.</summary>
    internal long Sequence;

    /// <summary>The machine the DPC was initialized on; null before <c>KeInitializeDpc</c>.</summary>
    internal KernelSystem? Machine { get; private set; }

    /// <summary>The processor <c>KeSetTargetProcessorDpc</c> chose, or -1: the inserting thread's processor.</summary>
    internal int TargetProcessor { get; set; } = -1;

    /// <summary>The routine <c>KeInitializeDpc</c> registered; null before initialization.</summary>
    public PKDEFERRED_ROUTINE? DeferredRoutine { get; private set; }

    /// <summary>The context <c>KeInitializeDpc</c> registered, passed to every run of the routine.</summary>
    public object? DeferredContext { get; private set; }

    /// <summary>The first argument of the latest successful <c>KeInsertQueueDpc</c>.</summary>
    public object? SystemArgument1 { get; internal set; }

    /// <summary>The second argument of the latest successful <c>KeInsertQueueDpc</c>.</summary>
    public object? SystemArgument2 { get; internal set; }

    /// <summary>True while the DPC waits in a processor's queue (not once its routine has started).</summary>
    public bool IsQueued => QueuedOnNow is not null;

    /// <summary>The processor the DPC is queued on now, or null.</summary>
    internal DpcProcessor? QueuedOnNow => Volatile.Read(ref QueuedOn);

    internal void Initialize(KernelSystem machine, PKDEFERRED_ROUTINE routine, object? context)
    {
        if (IsQueued)
        {
            throw BugCheck.Raise(BugCheckNames.TIMER_OR_DPC_INVALID, 1, 0, 0, 0,
                "KeInitializeDpc on a DPC that is still queued: the queue would be corrupted; KeRemoveQueueDpc it (or let it run) first");
        }

        Machine = machine;
        DeferredRoutine = routine;
        DeferredContext = context;
        SystemArgument1 = null;
        SystemArgument2 = null;
        TargetProcessor = -1;
    }

    /// <summary>The machine the DPC belongs to.</summary>
    /// <exception cref="ArgumentException">The DPC was never initialized.</exception>
    internal KernelSystem MachineFor(string routine)
        => Machine ?? throw new ArgumentException($"{routine}: the KDPC was never initialized; call KeInitializeDpc first.", "Dpc");
}
