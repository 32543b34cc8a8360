using System;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime;

// Deferred procedure calls on the machine's emulated processors, and the processor queries. A DPC
// belongs to the machine that was current when KeInitializeDpc ran; a thread that is not a DPC
// thread runs on processor (a per-thread number) % ProcessorCount of every machine.
public static partial class Ke
{
    /// <summary>
    /// Initializes <paramref name="Dpc"/> with its routine and context and ties it to the current
    /// <see cref="KernelSystem"/>; it targets no particular processor.
    /// </summary>
    /// <remarks>Callable at any IRQL.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="Dpc"/> or <paramref name="DeferredRoutine"/> is null.</exception>
    /// <exception cref="BugCheckException">TIMER_OR_DPC_INVALID (0xC7, P1 1) when the DPC is still queued.</exception>
    /// <exception cref="ObjectDisposedException">The current machine is disposed.</exception>
    [IrqlRequiresMax(HIGH_LEVEL)]
    public static void KeInitializeDpc(KDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, object? DeferredContext)
    {
        ArgumentNullException.ThrowIfNull(Dpc);
        ArgumentNullException.ThrowIfNull(DeferredRoutine);
        KernelSystem machine = KernelSystem.Current;
        machine.ThrowIfUnusable(nameof(KeInitializeDpc));
        Dpc.Initialize(machine, DeferredRoutine, DeferredContext);
    }

    /// <summary>
    /// Queues <paramref name="Dpc"/> at the tail of its target processor's queue (by default the
    /// calling thread's processor), to run once at DISPATCH_LEVEL with these arguments.
    /// </summary>
    /// <returns>TRUE when queued; FALSE when the DPC was already queued (it is not queued twice and keeps its first arguments).</returns>
    /// <remarks>Callable at any IRQL. A DPC whose routine is running may be queued again, even from that routine.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="Dpc"/> is null.</exception>
    /// <exception cref="ArgumentException">The DPC was never initialized with <see cref="KeInitializeDpc"/>.</exception>
    /// <exception cref="ObjectDisposedException">The DPC's machine is disposed.</exception>
    [IrqlRequiresMax(HIGH_LEVEL)]
    public static bool KeInsertQueueDpc(KDPC Dpc, object? SystemArgument1, object? SystemArgument2)
    {
        ArgumentNullException.ThrowIfNull(Dpc);
        KernelSystem machine = Dpc.MachineFor(nameof(KeInsertQueueDpc));
        machine.ThrowIfUnusable(nameof(KeInsertQueueDpc));
        KernelThread thread = KernelThread.Current;
        int target = Dpc.TargetProcessor;
        if (target < 0)
        {
            target = thread.ProcessorNumberOn(machine);
        }

        return machine.Processors[target].Insert(Dpc, thread.NextDpcStamp(), SystemArgument1, SystemArgument2, fromTimer: false);
    }

    /// <summary>Takes <paramref name="Dpc"/> out of its processor's queue, so it will not run for that queueing.</summary>
    /// <returns>TRUE when the DPC was queued; FALSE when it was not (never queued, or its routine already started).</returns>
    /// <remarks>Callable at any IRQL. A routine already running is not stopped: <see cref="KeFlushQueuedDpcs"/> waits for it.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="Dpc"/> is null.</exception>
    /// <exception cref="ArgumentException">The DPC was never initialized with <see cref="KeInitializeDpc"/>.</exception>
    [IrqlRequiresMax(HIGH_LEVEL)]
    public static bool KeRemoveQueueDpc(KDPC Dpc)
    {
        ArgumentNullException.ThrowIfNull(Dpc);
        KernelSystem.ThrowIfCrashed(Dpc.MachineFor(nameof(KeRemoveQueueDpc)));
        return Dpc.TryDequeue();
    }

    /// <summary>
    /// Returns after every DPC queued on the current machine before the call (on any processor) has
    /// run or been removed. DPCs queued during the call are not waited for.
    /// </summary>
    /// <remarks>
    /// PASSIVE_LEVEL only, and never from a DPC routine (it would wait for itself). Does not return
    /// while a routine hangs, until the DPC watchdog crashes the machine (then it throws that).
    /// </remarks>
    /// <exception cref="BugCheckException">
    /// The machine's <see cref="KernelSystem.Crash"/>, whether it happened before or during the wait;
    /// ATTEMPTED_SWITCH_FROM_DPC (0xB8) from a DPC routine; IRQL_NOT_LESS_OR_EQUAL (0x0A, P2 the IRQL)
    /// above PASSIVE_LEVEL.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The current machine is disposed.</exception>
    [IrqlRequiresMax(PASSIVE_LEVEL)]
    public static void KeFlushQueuedDpcs()
    {
        KernelThread thread = KernelThread.Current;
        KernelSystem machine = thread.System ?? KernelSystem.Default;
        KernelSystem.ThrowIfCrashed(machine);
        if (thread.Processor is not null)
        {
            throw BugCheck.Raise(BugCheckNames.ATTEMPTED_SWITCH_FROM_DPC, 0, 0, 0, 0,
                "KeFlushQueuedDpcs called from a DPC routine: it waits for queued DPCs, and a DPC routine must never wait");
        }

        RoutineIrql.RequireMax(thread, PASSIVE_LEVEL, nameof(KeFlushQueuedDpcs));
        machine.ThrowIfUnusable(nameof(KeFlushQueuedDpcs));
        machine.ProcessorsIfStarted?.Flush();

        // A crash during the wait stops the processors, which ends the wait: report it.
        KernelSystem.ThrowIfCrashed(machine);
        machine.ThrowIfUnusable(nameof(KeFlushQueuedDpcs));
    }

    /// <summary>Makes <paramref name="Dpc"/> run on processor <paramref name="Number"/> from its next queueing on.</summary>
    /// <remarks>Callable at any IRQL.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="Dpc"/> is null.</exception>
    /// <exception cref="ArgumentException">The DPC was never initialized with <see cref="KeInitializeDpc"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="Number"/> is not below the DPC's machine's processor count.</exception>
    [IrqlRequiresMax(HIGH_LEVEL)]
    public static void KeSetTargetProcessorDpc(KDPC Dpc, byte Number)
    {
        ArgumentNullException.ThrowIfNull(Dpc);
        KernelSystem machine = Dpc.MachineFor(nameof(KeSetTargetProcessorDpc));
        KernelSystem.ThrowIfCrashed(machine);
        if (Number >= machine.ProcessorCount)
        {
            throw new ArgumentOutOfRangeException(nameof(Number), Number,
                $"KeSetTargetProcessorDpc: processor {Number} does not exist; the machine has {machine.ProcessorCount} (numbers 0 to {machine.ProcessorCount - 1}).");
        }

        Dpc.TargetProcessor = Number;
    }

    /// <summary>
    /// The number of the processor the caller runs on: on a DPC routine, the processor running it;
    /// on any other thread a number fixed for the thread's life, below the machine's processor count.
    /// </summary>
    /// <remarks>Callable at any IRQL.</remarks>
    [IrqlRequiresMax(HIGH_LEVEL)]
    public static uint KeGetCurrentProcessorNumber()
    {
        KernelThread thread = KernelThread.Current;
        KernelSystem machine = thread.System ?? KernelSystem.Default;
        KernelSystem.ThrowIfCrashed(machine);
        return (uint)thread.ProcessorNumberOn(machine);
    }

    /// <summary>The number of processors of the current machine (<see cref="SystemConfiguration.ProcessorCount"/>).</summary>
    /// <remarks>Callable at any IRQL.</remarks>
    [IrqlRequiresMax(HIGH_LEVEL)]
    public static uint KeQueryActiveProcessorCount()
    {
        KernelSystem machine = KernelSystem.Current;
        KernelSystem.ThrowIfCrashed(machine);
        return (uint)machine.ProcessorCount;
    }

    /// <summary>The KAFFINITY of the current machine's processors: bit n set for processor n.</summary>
    /// <remarks>Callable at any IRQL.</remarks>
    [IrqlRequiresMax(HIGH_LEVEL)]
    public static ulong KeQueryActiveProcessors()
    {
        KernelSystem machine = KernelSystem.Current;
        KernelSystem.ThrowIfCrashed(machine);
        int count = machine.ProcessorCount;
        return count == SystemConfiguration.MaximumProcessorCount ? ulong.MaxValue : (1UL << count) - 1;
    }
}
