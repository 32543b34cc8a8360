using System;
using System.Diagnostics;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The processors of one machine (<see cref="SystemConfiguration.ProcessorCount"/>), each created on
/// first use, and what spans them: flushing, stopping, the watchdog scan and the count of live
/// processor threads.
/// </summary>
internal sealed class EmulatedProcessors(KernelSystem machine)
{
    private readonly DpcProcessor?[] _processors = new DpcProcessor?[machine.ProcessorCount];

    // Live processor threads, and what to run when the last one exits after Dispose (releasing the
    // pool's memory, which a routine still running may be using).
    private readonly object _lifecycle = new();
    private int _liveThreads;
    private Action? _whenIdle;

    // Set (before the processors are stopped) by Halt or Stop, so a processor created concurrently
    // stops too; and cancelled after them, which ends every flush waiting.
    private bool _halted;
    private bool _discardQueues;
    private readonly CancellationTokenSource _stopped = new();

    public KernelSystem Machine { get; } = machine;

    public DpcProcessor this[int number] => Volatile.Read(ref _processors[number]) ?? Create(number);

    /// <summary>Returns after every DPC queued (on any processor) before the call has run or been removed, or the processors stop.</summary>
    public void Flush()
    {
        using var request = new FlushRequest();
        foreach (DpcProcessor? processor in _processors)
        {
            if (processor is null)
            {
                continue;
            }

            request.Expect();
            if (!processor.InsertFlush(request))
            {
                request.ProcessorDone();
            }
        }

        request.Wait(_stopped.Token);
    }

    /// <summary>A crash: no routine starts any more; queued DPCs stay queued and never run.</summary>
    public void Halt()
    {
        Volatile.Write(ref _halted, true);
        foreach (DpcProcessor? processor in _processors)
        {
            processor?.Stop(discardQueue: false);
        }

        _stopped.Cancel();
    }

    /// <summary>
    /// Dispose: discards every queued DPC, lets each running routine finish and waits for the
    /// processor threads to exit, giving up on a routine that the watchdog declares stuck (the
    /// machine then holds DPC_WATCHDOG_VIOLATION) or, on a machine already crashed, that runs past
    /// one more allotment. <paramref name="releaseWhenIdle"/> runs once no processor thread is left:
    /// now, or when the last stuck routine returns.
    /// </summary>
    public void Stop(Action releaseWhenIdle)
    {
        _discardQueues = true;
        Volatile.Write(ref _halted, true);
        foreach (DpcProcessor? processor in _processors)
        {
            processor?.Stop(discardQueue: true);
        }

        _stopped.Cancel();

        // Until the watchdog crashes the machine over a routine that does not return; on a machine
        // that had crashed already (the watchdog stopped with it), for one allotment at most.
        TimeSpan allotment = Machine.Configuration.DpcWatchdogTimeout;
        TimeSpan poll = DpcWatchdog.PollInterval(allotment);
        bool crashedBefore = Machine.Crash is not null;
        long giveUpAt = Stopwatch.GetTimestamp() + DpcWatchdog.TimestampTicks(allotment);
        foreach (DpcProcessor? processor in _processors)
        {
            Thread? thread = processor?.Thread;

            // A routine that disposes its own machine cannot wait for itself.
            if (thread is null || thread == Thread.CurrentThread)
            {
                continue;
            }

            while (!thread.Join(poll) && !(crashedBefore ? Stopwatch.GetTimestamp() > giveUpAt : Machine.Crash is not null))
            {
            }
        }

        lock (_lifecycle)
        {
            if (_liveThreads != 0)
            {
                _whenIdle = releaseWhenIdle;
                return;
            }
        }

        releaseWhenIdle();
    }

    /// <summary>The watchdog: crashes the machine when one routine has run past the allotment.</summary>
    public void Watch(TimeSpan allotment)
    {
        long now = Stopwatch.GetTimestamp();
        foreach (DpcProcessor? processor in _processors)
        {
            if (processor is null)
            {
                continue;
            }

            long running = processor.RunningSequence;
            if (running == 0 || running != processor.WatchedSequence)
            {
                processor.WatchedSequence = running;
                processor.WatchedSince = now;
                continue;
            }

            TimeSpan ran = DpcWatchdog.Elapsed(processor.WatchedSince, now);
            if (ran >= allotment)
            {
                Machine.CrashFrom(DpcWatchdog.SingleDpc(processor, ran, allotment));
                return;
            }
        }
    }

    public void ThreadStarting()
    {
        lock (_lifecycle)
        {
            _liveThreads++;
        }
    }

    public void ThreadExited()
    {
        Action? release;
        lock (_lifecycle)
        {
            _liveThreads--;
            release = _liveThreads == 0 ? _whenIdle : null;
            if (release is not null)
            {
                _whenIdle = null;
            }
        }

        release?.Invoke();
    }

    private DpcProcessor Create(int number)
    {
        var created = new DpcProcessor(this, number);
        if (Interlocked.CompareExchange(ref _processors[number], created, null) is null && Volatile.Read(ref _halted))
        {
            created.Stop(_discardQueues);
        }

        return _processors[number]!;
    }
}
