using System;
using System.Threading;
using static PoolAnalyzers.Runtime.Ke;

namespace PoolAnalyzers.Runtime.Test.Infrastructure;

/// <summary>
/// Holds one emulated processor busy: a DPC on it that waits until <see cref="Open"/> is called, so
/// DPCs queued on that processor meanwhile stay queued.
/// </summary>
internal sealed class ProcessorGate : IDisposable
{
    private readonly ManualResetEventSlim _entered = new();
    private readonly ManualResetEventSlim _open = new();

    private ProcessorGate()
    {
        Dpc = new KDPC();
        KeInitializeDpc(Dpc, (_, _, _, _) =>
        {
            Thread = Thread.CurrentThread;
            _entered.Set();
            _open.Wait(Patience.Limit);
        }, null);
    }

    public KDPC Dpc { get; }

    /// <summary>The processor's thread, once the gate's routine runs.</summary>
    public Thread? Thread { get; private set; }

    /// <summary>Occupies <paramref name="processor"/> of the current machine and returns once the gate's routine runs there.</summary>
    public static ProcessorGate Close(byte processor)
    {
        var gate = new ProcessorGate();
        KeSetTargetProcessorDpc(gate.Dpc, processor);
        KeInsertQueueDpc(gate.Dpc, null, null);
        Patience.Wait(gate._entered, $"the gate DPC to start on processor {processor}");
        return gate;
    }

    public void Open() => _open.Set();

    public void Dispose()
    {
        _open.Set();
        _entered.Dispose();
    }
}
