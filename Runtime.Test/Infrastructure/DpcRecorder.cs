using System.Collections.Concurrent;
using System.Threading;
using static PoolAnalyzers.Runtime.Ke;

namespace PoolAnalyzers.Runtime.Test.Infrastructure;

/// <summary>What one DPC routine saw each time it ran.</summary>
internal sealed record DpcRun(KDPC Dpc, object? Context, object? Argument1, object? Argument2, KIRQL Irql, uint Processor, Thread Thread);

/// <summary>A DPC whose routine records every run.</summary>
internal sealed class DpcRecorder
{
    private readonly ConcurrentQueue<DpcRun> _runs = new();

    public DpcRecorder(object? context = null)
    {
        Dpc = new KDPC();
        KeInitializeDpc(Dpc, Record, context);
    }

    public KDPC Dpc { get; }

    public DpcRun[] Runs => _runs.ToArray();

    public int Count => _runs.Count;

    private void Record(KDPC dpc, object? context, object? argument1, object? argument2)
        => _runs.Enqueue(new DpcRun(dpc, context, argument1, argument2, KeGetCurrentIrql(), KeGetCurrentProcessorNumber(), Thread.CurrentThread));
}
