using System;
using System.Collections.Concurrent;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// One emulated processor: its DPC queue and the thread that drains it, running each routine at
/// DISPATCH_LEVEL in the order the DPCs were queued.
/// </summary>
/// <remarks>
/// The queue holds one entry per successful insertion: the DPC, the insertion's stamp and its
/// arguments. Whether the DPC is still queued lives in the DPC itself (<see cref="KDPC.QueuedStamp"/>),
/// so KeRemoveQueueDpc takes no lock: it clears the stamp, and the entry, when it comes up, no longer
/// matches and is skipped. Producers and the consumer meet only in the lock-free queue. The thread
/// starts with the first insert; when the queue runs dry it polls briefly before it sleeps, so a DPC
/// queued soon after the last one runs without a wake-up. A routine that throws or returns at
/// another IRQL crashes the machine (see <see cref="KernelSystem.Crash"/>) and the processor stops.
/// </remarks>
internal sealed class DpcProcessor
{
    // Polls an idle processor makes for work before it sleeps: a short pause apart (a microsecond or
    // two in all), then yielding between polls (some tens of microseconds more).
    private const int ClosePolls = 32;
    private const int YieldingPolls = 64;

    private readonly ConcurrentQueue<DpcEntry> _queue = new();
    private readonly EmulatedProcessors _processors;
    private readonly SemaphoreSlim _wake = new(0);

    // Guards starting and stopping the thread.
    private readonly object _lifecycle = new();

    // 1 while the thread sleeps (or is about to); whoever swaps it back to 0 owes the thread one wake-up.
    private int _sleeping;
    private bool _stopping;
    private Thread? _thread;

    // Routines started so far; _running is that count while one runs and 0 between routines.
    private long _started;
    private long _running;

    public DpcProcessor(EmulatedProcessors processors, int number)
    {
        _processors = processors;
        Number = number;
    }

    public int Number { get; }

    public KernelSystem Machine => _processors.Machine;

    /// <summary>The thread serving this processor, once started.</summary>
    public Thread? Thread => Volatile.Read(ref _thread);

    // Owned by the clock interrupt's watchdog scan: the routine it last saw running and since when.
    internal long WatchedSequence;
    internal long WatchedSince;

    /// <summary>Identifies the routine running now (a count of routines started), 0 when idle; read by the watchdog.</summary>
    internal long RunningSequence => Volatile.Read(ref _running);

    /// <summary>
    /// Queues <paramref name="dpc"/> unless it is already queued (on any processor); true when queued.
    /// On a stopped processor a timer's insert (<paramref name="fromTimer"/>) reports false, a
    /// driver's throws the crash or <see cref="ObjectDisposedException"/>.
    /// </summary>
    public bool Insert(KDPC dpc, long stamp, object? argument1, object? argument2, bool fromTimer)
    {
        if (Interlocked.CompareExchange(ref dpc.QueuedStamp, stamp, 0) != 0)
        {
            return false;
        }

        _queue.Enqueue(new DpcEntry(dpc, stamp, argument1, argument2, flush: null));

        // Read after the enqueue (a full fence): either Stop sees the entry and discards it, or this
        // sees the stop and takes the DPC back.
        if (Volatile.Read(ref _stopping))
        {
            Interlocked.CompareExchange(ref dpc.QueuedStamp, 0, stamp);
            return fromTimer ? false : throw Machine.UnusableException(nameof(Ke.KeInsertQueueDpc));
        }

        Wake();
        return true;
    }

    /// <summary>Queues a flush marker behind every DPC queued so far; false when the processor has stopped.</summary>
    public bool InsertFlush(FlushRequest request)
    {
        if (Volatile.Read(ref _thread) is null || Volatile.Read(ref _stopping))
        {
            return false;
        }

        _queue.Enqueue(new DpcEntry(null, 0, null, null, request));
        Wake();
        return true;
    }

    /// <summary>
    /// Stops the processor: no routine starts after the thread sees this (the one running, if any,
    /// finishes). With <paramref name="discardQueue"/> the queued DPCs are taken back and will never
    /// run (Dispose); without, they stay queued in a halted machine (a crash, as a dump would show them).
    /// </summary>
    public void Stop(bool discardQueue)
    {
        lock (_lifecycle)
        {
            Volatile.Write(ref _stopping, true);
        }

        if (discardQueue)
        {
            while (_queue.TryDequeue(out DpcEntry entry))
            {
                entry.Discard();
            }
        }

        if (Interlocked.Exchange(ref _sleeping, 0) != 0)
        {
            _wake.Release();
        }
    }

    private void Wake()
    {
        if (Volatile.Read(ref _thread) is null)
        {
            StartThread();
        }
        else if (Volatile.Read(ref _sleeping) != 0 && Interlocked.Exchange(ref _sleeping, 0) != 0)
        {
            _wake.Release();
        }
    }

    private void StartThread()
    {
        lock (_lifecycle)
        {
            if (_thread is not null || _stopping)
            {
                return;
            }

            _processors.ThreadStarting();
            var thread = new Thread(Run) { IsBackground = true, Name = $"DPC processor {Number}" };
            Volatile.Write(ref _thread, thread);

            // The thread must not inherit the inserting thread's execution context: it enters its own machine.
            thread.UnsafeStart();
        }

        // Outside the lock: the clock interrupt takes its own lock, from which timers insert DPCs.
        Machine.ClockInterrupt.StartWatchdog();
    }

    private void Run()
    {
        KernelThread thread = KernelThread.Current;
        thread.Processor = this;
        KernelSystem.Scope scope = Machine.Enter();
        try
        {
            while (NextEntry(out DpcEntry entry))
            {
                if (entry.Flush is { } flush)
                {
                    flush.ProcessorDone();
                }
                else if (!Dispatch(thread, entry))
                {
                    break;
                }
            }
        }
        catch (Exception fault)
        {
            // A fault in the runtime's own code: it must not reach the host either.
            Machine.CrashFrom(DpcBugChecks.Unhandled(null, fault));
        }
        finally
        {
            Volatile.Write(ref _running, 0);
            thread.Irql = KIRQL.PASSIVE_LEVEL;
            thread.Processor = null;
            scope.Dispose();
            _processors.ThreadExited();
        }
    }

    /// <summary>Takes the next entry, waiting for one; false once the processor stops.</summary>
    private bool NextEntry(out DpcEntry entry)
    {
        while (true)
        {
            if (Volatile.Read(ref _stopping))
            {
                entry = default;
                return false;
            }

            if (_queue.TryDequeue(out entry))
            {
                return true;
            }

            WaitForWork();
        }
    }

    private void WaitForWork()
    {
        // Poll closely for a moment (a DPC queued right after the last one is seen within a pause),
        // then yield between polls: the thread queueing the next DPC may be waiting for this core.
        for (int i = 0; i < ClosePolls + YieldingPolls; i++)
        {
            if (!_queue.IsEmpty || Volatile.Read(ref _stopping))
            {
                return;
            }

            if (i < ClosePolls)
            {
                Thread.SpinWait(1);
            }
            else
            {
                Thread.Yield();
            }
        }

        // Announce the sleep, then look once more (the exchange is a full fence, and a producer reads
        // _sleeping after its enqueue): either this sees the entry or the producer sees the sleeper.
        Interlocked.Exchange(ref _sleeping, 1);
        if (!_queue.IsEmpty || Volatile.Read(ref _stopping))
        {
            if (Interlocked.Exchange(ref _sleeping, 0) != 0)
            {
                return;
            }

            // A producer swapped the flag first and released the semaphore: take that wake-up.
        }

        _wake.Wait();
    }

    /// <summary>Runs the entry's routine if the DPC is still queued by that insertion; false when it crashed the machine.</summary>
    private bool Dispatch(KernelThread thread, in DpcEntry entry)
    {
        KDPC dpc = entry.Dpc!;

        // Read while the DPC is still claimed by this insertion: KeInitializeDpc refuses a queued DPC,
        // so they belong to this insertion.
        PKDEFERRED_ROUTINE routine = dpc.DeferredRoutine!;
        object? context = dpc.DeferredContext;
        if (Interlocked.CompareExchange(ref dpc.QueuedStamp, 0, entry.Stamp) != entry.Stamp)
        {
            return true;   // removed (and perhaps queued again by a later insertion, whose entry follows)
        }

        Volatile.Write(ref _running, ++_started);
        thread.Irql = KIRQL.DISPATCH_LEVEL;
        try
        {
            routine(dpc, context, entry.Argument1, entry.Argument2);
        }
        catch (BugCheckException bugCheck)
        {
            Machine.CrashFrom(bugCheck);
            return false;
        }
        catch (Exception exception)
        {
            Machine.CrashFrom(DpcBugChecks.Unhandled(routine, exception));
            return false;
        }

        Volatile.Write(ref _running, 0);
        if (thread.Irql != KIRQL.DISPATCH_LEVEL)
        {
            Machine.CrashFrom(DpcBugChecks.IrqlChanged(routine, thread.Irql));
            return false;
        }

        return true;
    }

    /// <summary>One queued insertion (a DPC, its stamp and arguments: the arguments travel with the insertion, not in the DPC, so a later insertion cannot change them) or a flush marker.</summary>
    private readonly struct DpcEntry(KDPC? dpc, long stamp, object? argument1, object? argument2, FlushRequest? flush)
    {
        public KDPC? Dpc { get; } = dpc;

        public long Stamp { get; } = stamp;

        public object? Argument1 { get; } = argument1;

        public object? Argument2 { get; } = argument2;

        public FlushRequest? Flush { get; } = flush;

        /// <summary>Takes the DPC back if this insertion still holds it (the machine is going away).</summary>
        public void Discard()
        {
            if (Dpc is not null)
            {
                Interlocked.CompareExchange(ref Dpc.QueuedStamp, 0, Stamp);
            }
        }
    }
}
