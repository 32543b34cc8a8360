using System;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// One KeFlushQueuedDpcs: a marker queued behind the DPCs on every running processor (as the kernel
/// flushes, by queueing work to each processor and waiting for it). Each processor signals when it
/// reaches its marker; every DPC queued before it has run by then.
/// </summary>
internal sealed class FlushRequest : IDisposable
{
    private readonly ManualResetEventSlim _done = new();

    // One for the flushing thread itself, which adds one per processor it queued a marker on.
    private int _remaining = 1;

    public void Expect() => Interlocked.Increment(ref _remaining);

    public void ProcessorDone()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _done.Set();
        }
    }

    /// <summary>Waits for every marker; returns early when the processors stop (<paramref name="stopped"/> is cancelled).</summary>
    public void Wait(CancellationToken stopped)
    {
        ProcessorDone();
        try
        {
            _done.Wait(stopped);
        }
        catch (OperationCanceledException)
        {
            // The machine crashed or is being disposed: the caller reports which.
        }
    }

    public void Dispose() => _done.Dispose();
}
