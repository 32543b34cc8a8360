using System;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// One emulated processor: its DPC queue and the thread that drains it, running each routine at
/// DISPATCH_LEVEL in the order the DPCs were queued.
/// </summary>
/// <remarks>
/// The queue is a doubly linked list through the KDPC objects under one lock, so inserting,
/// removing any DPC and taking the next are O(1) and allocation-free. The thread starts with the
/// first insert. When the queue runs dry it spins briefly before it sleeps, so a DPC queued soon
/// after the last one runs without a wake-up. A routine that throws or returns at another IRQL
/// crashes the machine (see <see cref="KernelSystem.Crash"/>) and the processor stops.
/// </remarks>
internal sealed class DpcProcessor
{
    // Iterations of SpinWait (busy spins, then yields) an idle processor waits for work before sleeping.
    private const int IdleSpins = 24;

    private readonly object _gate = new();
    private readonly EmulatedProcessors _processors;

    private KDPC? _head;
    private KDPC? _tail;

    // Insertions so far: a DPC's Sequence. The routine running has _runningSequence (0: none), so
    // every DPC queued up to RetiredThrough has run or been removed (what KeFlushQueuedDpcs waits for).
    private long _lastInserted;
    private long _runningSequence;

    private int _flushWaiters;
    private bool _sleeping;
    private bool _stopping;
    private Thread? _thread;

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

    /// <summary>The sequence number of the routine running now, 0 when idle (read by the watchdog without the lock).</summary>
    internal long RunningSequence => Volatile.Read(ref _runningSequence);

    /// <summary>
    /// Queues <paramref name="dpc"/> unless it is already queued (on any processor); true when queued.
    /// On a stopped processor a timer's insert (<paramref name="fromTimer"/>) reports false, a
    /// driver's throws the crash or <see cref="System.ObjectDisposedException"/>.
    /// </summary>
    public bool Insert(KDPC dpc, object? argument1, object? argument2, bool fromTimer)
    {
        bool started = false;
        lock (_gate)
        {
            if (_stopping)
            {
                return fromTimer ? false : throw Machine.UnusableException(nameof(Ke.KeInsertQueueDpc));
            }

            if (Interlocked.CompareExchange(ref dpc.QueuedOn, this, null) is not null)
            {
                return false;
            }

            dpc.SystemArgument1 = argument1;
            dpc.SystemArgument2 = argument2;
            dpc.Sequence = ++_lastInserted;
            dpc.Next = null;
            dpc.Previous = _tail;
            if (_tail is null)
            {
                Volatile.Write(ref _head, dpc);
            }
            else
            {
                _tail.Next = dpc;
            }

            _tail = dpc;
            if (_thread is null)
            {
                StartThread();
                started = true;
            }
            else if (_sleeping)
            {
                // PulseAll: flush waiters share the monitor, and a Pulse could wake one of them instead.
                Monitor.PulseAll(_gate);
            }
        }

        // Outside the queue lock: the clock interrupt takes its own lock first and then this one.
        if (started)
        {
            Machine.ClockInterrupt.StartWatchdog();
        }

        return true;
    }

    /// <summary>Unlinks <paramref name="dpc"/> if it is still queued here; false when it is not (it ran, or moved).</summary>
    public bool TryRemove(KDPC dpc)
    {
        lock (_gate)
        {
            if (dpc.QueuedOn != this)
            {
                return false;
            }

            Unlink(dpc);
            if (_flushWaiters != 0)
            {
                Monitor.PulseAll(_gate);
            }
        }

        return true;
    }

    /// <summary>The insertion count now: a flush waits until every DPC up to it is retired.</summary>
    public long LastInserted
    {
        get
        {
            lock (_gate)
            {
                return _lastInserted;
            }
        }
    }

    /// <summary>Waits until every DPC queued up to <paramref name="sequence"/> has run or been removed, or the processor stops.</summary>
    public void WaitUntilRetired(long sequence)
    {
        lock (_gate)
        {
            while (RetiredThroughLocked() < sequence && !_stopping)
            {
                _flushWaiters++;
                Monitor.Wait(_gate);
                _flushWaiters--;
            }
        }
    }

    /// <summary>
    /// Stops the processor: no routine starts after this returns (the one running, if any, finishes).
    /// With <paramref name="discardQueue"/> the queued DPCs are unlinked and will never run (Dispose);
    /// without, they stay queued in a halted machine (a crash, as a dump would show them).
    /// </summary>
    public void Stop(bool discardQueue)
    {
        lock (_gate)
        {
            _stopping = true;
            if (discardQueue)
            {
                while (_head is not null)
                {
                    Unlink(_head);
                }
            }

            Monitor.PulseAll(_gate);
        }
    }

    private long RetiredThroughLocked()
        => _runningSequence != 0 ? _runningSequence - 1 : _head is not null ? _head.Sequence - 1 : _lastInserted;

    private void Unlink(KDPC dpc)
    {
        if (dpc.Previous is null)
        {
            Volatile.Write(ref _head, dpc.Next);
        }
        else
        {
            dpc.Previous.Next = dpc.Next;
        }

        if (dpc.Next is null)
        {
            _tail = dpc.Previous;
        }
        else
        {
            dpc.Next.Previous = dpc.Previous;
        }

        dpc.Next = null;
        dpc.Previous = null;
        Volatile.Write(ref dpc.QueuedOn, null);
    }

    private void StartThread()
    {
        var thread = new Thread(Run)
        {
            IsBackground = true,
            Name = $"DPC processor {Number}",
        };
        _thread = thread;
        _processors.ThreadStarting();

        // The thread must not inherit the inserting thread's execution context: it enters its own machine.
        thread.UnsafeStart();
    }

    private void Run()
    {
        KernelThread thread = KernelThread.Current;
        thread.Processor = this;
        KernelSystem.Scope scope = Machine.Enter();
        try
        {
            KDPC? finished = null;
            while (TakeNext(ref finished, out KDPC? dpc, out PKDEFERRED_ROUTINE? routine, out object? context, out object? argument1, out object? argument2))
            {
                finished = dpc;
                if (!Execute(thread, dpc!, routine!, context, argument1, argument2))
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
            lock (_gate)
            {
                _runningSequence = 0;
                Monitor.PulseAll(_gate);
            }

            thread.Irql = KIRQL.PASSIVE_LEVEL;
            thread.Processor = null;
            scope.Dispose();
            _processors.ThreadExited();
        }
    }

    /// <summary>
    /// Retires the routine that just ran (if any) and takes the next DPC, waiting for one; false once
    /// the processor stops. One lock round trip per DPC.
    /// </summary>
    private bool TakeNext(ref KDPC? finished, out KDPC? dpc, out PKDEFERRED_ROUTINE? routine, out object? context, out object? argument1, out object? argument2)
    {
        bool spun = false;
        while (true)
        {
            lock (_gate)
            {
                if (finished is not null)
                {
                    finished = null;
                    _runningSequence = 0;
                    if (_flushWaiters != 0)
                    {
                        Monitor.PulseAll(_gate);
                    }
                }

                while (!_stopping)
                {
                    KDPC? head = _head;
                    if (head is not null)
                    {
                        // The routine, context and arguments are read while the DPC is still queued,
                        // so a re-initialization (refused while queued) or re-insert cannot tear them.
                        dpc = head;
                        routine = head.DeferredRoutine;
                        context = head.DeferredContext;
                        argument1 = head.SystemArgument1;
                        argument2 = head.SystemArgument2;
                        Volatile.Write(ref _runningSequence, head.Sequence);
                        Unlink(head);
                        return true;
                    }

                    if (!spun)
                    {
                        break;
                    }

                    _sleeping = true;
                    Monitor.Wait(_gate);
                    _sleeping = false;
                }

                if (_stopping)
                {
                    dpc = null;
                    routine = null;
                    context = argument1 = argument2 = null;
                    return false;
                }
            }

            SpinForWork();
            spun = true;
        }
    }

    private void SpinForWork()
    {
        var spinner = default(SpinWait);
        for (int i = 0; i < IdleSpins && Volatile.Read(ref _head) is null && !Volatile.Read(ref _stopping); i++)
        {
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Runs one routine at DISPATCH_LEVEL; false when it crashed the machine.</summary>
    private bool Execute(KernelThread thread, KDPC dpc, PKDEFERRED_ROUTINE routine, object? context, object? argument1, object? argument2)
    {
        thread.Irql = KIRQL.DISPATCH_LEVEL;
        try
        {
            routine(dpc, context, argument1, argument2);
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

        if (thread.Irql != KIRQL.DISPATCH_LEVEL)
        {
            Machine.CrashFrom(DpcBugChecks.IrqlChanged(routine, thread.Irql));
            return false;
        }

        return true;
    }
}
