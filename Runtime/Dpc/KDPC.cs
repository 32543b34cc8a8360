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
    /// <summary>
    /// The stamp of the insertion that queued the DPC, 0 while it is not queued. Inserting claims the
    /// DPC by compare-exchange from 0; the processor that dequeues the matching entry, or a
    /// KeRemoveQueueDpc, releases it by compare-exchange back to 0 - whichever comes first wins, so a
    /// removed DPC never runs and a DPC is never queued twice.
    /// </summary>
    internal long QueuedStamp;

    /// <summary>The machine the DPC was initialized on; null before <c>KeInitializeDpc</c>.</summary>
    internal KernelSystem? Machine { get; private set; }

    /// <summary>The processor <c>KeSetTargetProcessorDpc</c> chose, or -1: the inserting thread's processor.</summary>
    internal int TargetProcessor { get; set; } = -1;

    /// <summary>The routine <c>KeInitializeDpc</c> registered; null before initialization.</summary>
    public PKDEFERRED_ROUTINE? DeferredRoutine { get; private set; }

    /// <summary>The context <c>KeInitializeDpc</c> registered, passed to every run of the routine.</summary>
    public object? DeferredContext { get; private set; }

    /// <summary>True while the DPC waits in a processor's queue (not once its routine has started).</summary>
    public bool IsQueued => Volatile.Read(ref QueuedStamp) != 0;

    /// <summary>Takes the DPC out of the queue it waits in; false when it was not queued.</summary>
    internal bool TryDequeue()
    {
        long stamp = Volatile.Read(ref QueuedStamp);
        while (stamp != 0)
        {
            long seen = Interlocked.CompareExchange(ref QueuedStamp, 0, stamp);
            if (seen == stamp)
            {
                return true;
            }

            stamp = seen;
        }

        return false;
    }

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
        TargetProcessor = -1;
    }

    /// <summary>The machine the DPC belongs to.</summary>
    /// <exception cref="ArgumentException">The DPC was never initialized.</exception>
    internal KernelSystem MachineFor(string routine)
        => Machine ?? throw new ArgumentException($"{routine}: the KDPC was never initialized; call KeInitializeDpc first.", "Dpc");
}
