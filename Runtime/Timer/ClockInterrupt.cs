using System;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// One machine's clock interrupt: it expires the machine's timers (queueing their DPCs) and runs the
/// DPC watchdog, as the kernel's clock interrupt does. On the real clock a thread of the machine
/// waits for the earliest due time; on a <see cref="ManualClock"/> timers expire only inside
/// <see cref="ManualClock.Advance"/>, and the thread (if any) only runs the watchdog, which always
/// measures real time. The thread starts with the first real-clock timer or the first DPC thread.
/// </summary>
internal sealed class ClockInterrupt
{
    // Guards the heap, every KTIMER of the machine, and the flags below.
    private readonly object _gate = new();
    private readonly TimerHeap _timers = new();
    private readonly KernelSystem _machine;
    private readonly SystemClock _clock;

    private Thread? _thread;
    private bool _watching;
    private bool _timersStopped;
    private bool _shutDown;

    public ClockInterrupt(KernelSystem machine, SystemClock clock)
    {
        _machine = machine;
        _clock = clock;
        clock.Attach(this);
    }

    public KernelSystem Machine => _machine;

    /// <summary>
    /// Sets <paramref name="timer"/> to expire at <paramref name="dueTime"/> (negative: relative, in
    /// 100 ns; otherwise absolute system time), then every <paramref name="period"/> ms if non-zero.
    /// A due time already past expires the timer at once. True when the timer was already set.
    /// </summary>
    public bool Set(KTIMER timer, long dueTime, int period, KDPC? dpc, int processor)
    {
        lock (_gate)
        {
            ThrowIfUnusableLocked(nameof(Ke.KeSetTimerEx));
            bool wasSet = timer.HeapIndex >= 0;
            if (wasSet)
            {
                _timers.Remove(timer);
            }

            timer.Signaled = false;
            timer.Period = period;
            timer.Dpc = dpc;
            timer.Processor = processor;

            long now = _clock.InterruptTime;
            long due = dueTime < 0 ? AddSaturating(now, dueTime == long.MinValue ? long.MaxValue : -dueTime) : AddSaturating(now, dueTime - _clock.SystemTime);
            if (due <= now)
            {
                Expire(timer, now);
            }
            else
            {
                timer.DueTime = due;
                Schedule(timer);
            }

            return wasSet;
        }
    }

    /// <summary>Takes <paramref name="timer"/> out of the timer queue; true when it was set.</summary>
    public bool Cancel(KTIMER timer)
    {
        lock (_gate)
        {
            ThrowIfUnusableLocked(nameof(Ke.KeCancelTimer));
            if (timer.HeapIndex < 0)
            {
                return false;
            }

            _timers.Remove(timer);
            return true;
        }
    }

    /// <summary>Initializes <paramref name="timer"/> for this machine: not set, not signalled.</summary>
    public void Initialize(KTIMER timer)
    {
        ClockInterrupt? previous = timer.Clock;
        if (previous is not null)
        {
            lock (previous._gate)
            {
                if (timer.HeapIndex >= 0)
                {
                    throw BugCheck.Raise(BugCheckNames.TIMER_OR_DPC_INVALID, 0, 0, 0, 0,
                        "KeInitializeTimer on a timer that is still set: the timer queue would be corrupted; KeCancelTimer it first");
                }
            }
        }

        lock (_gate)
        {
            timer.Clock = this;
            timer.Signaled = false;
            timer.Period = 0;
            timer.Dpc = null;
        }
    }

    /// <summary>A <see cref="ManualClock"/> moved to <paramref name="now"/>: expires every timer due by then.</summary>
    public void Tick(long now)
    {
        lock (_gate)
        {
            if (!_timersStopped)
            {
                ExpireDue(now);
            }
        }
    }

    /// <summary>A processor thread started: make sure the watchdog runs.</summary>
    public void StartWatchdog()
    {
        lock (_gate)
        {
            _watching = true;
            EnsureThread();
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Dispose, first step: every timer is unset and none expires again; the watchdog keeps running.</summary>
    public void StopTimers()
    {
        lock (_gate)
        {
            _timersStopped = true;
            _timers.Clear();
            Monitor.PulseAll(_gate);
        }

        _clock.Detach(this);
    }

    /// <summary>A crash: no timer expires any more and the thread ends (the watchdog has nothing left to guard).</summary>
    public void Halt()
    {
        lock (_gate)
        {
            _timersStopped = true;
            _shutDown = true;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Dispose, last step: ends the thread and waits for it (it runs no driver code and holds locks only briefly, so it ends promptly; the wait is bounded all the same).</summary>
    public void ShutDown()
    {
        Thread? thread;
        lock (_gate)
        {
            _timersStopped = true;
            _shutDown = true;
            thread = _thread;
            Monitor.PulseAll(_gate);
        }

        if (thread is not null && thread != Thread.CurrentThread)
        {
            thread.Join(TimeSpan.FromSeconds(10));
        }
    }

    private void ThrowIfUnusableLocked(string routine)
    {
        if (_timersStopped)
        {
            throw _machine.UnusableException(routine);
        }
    }

    private void Schedule(KTIMER timer)
    {
        _timers.Add(timer);
        if (!_clock.IsManual && _timers.Earliest == timer)
        {
            EnsureThread();
            Monitor.PulseAll(_gate);
        }
    }

    private void ExpireDue(long now)
    {
        for (KTIMER? timer = _timers.Earliest; timer is not null && timer.DueTime <= now; timer = _timers.Earliest)
        {
            _timers.Remove(timer);
            Expire(timer, now);
        }
    }

    /// <summary>Signals an expired (already unqueued) timer, reinserts it if periodic and queues its DPC.</summary>
    private void Expire(KTIMER timer, long now)
    {
        timer.Signaled = true;
        if (timer.Period != 0)
        {
            timer.DueTime = AddSaturating(now, timer.Period * TimeSpan.TicksPerMillisecond);
            Schedule(timer);
        }

        KDPC? dpc = timer.Dpc;
        if (dpc is not null)
        {
            int target = dpc.TargetProcessor >= 0 ? dpc.TargetProcessor : timer.Processor;
            _machine.Processors[target].Insert(dpc, KernelThread.Current.NextDpcStamp(), null, null, fromTimer: true);
        }
    }

    private void EnsureThread()
    {
        if (_thread is null && !_shutDown)
        {
            _thread = new Thread(Run) { IsBackground = true, Name = "Clock interrupt" };
            _thread.UnsafeStart();
        }
    }

    private void Run()
    {
        TimeSpan allotment = _machine.Configuration.DpcWatchdogTimeout;
        TimeSpan poll = DpcWatchdog.PollInterval(allotment);
        lock (_gate)
        {
            while (!_shutDown)
            {
                long now = _clock.InterruptTime;
                TimeSpan wait = Timeout.InfiniteTimeSpan;
                if (!_clock.IsManual && !_timersStopped)
                {
                    ExpireDue(now);
                    if (_timers.Earliest is { } next)
                    {
                        wait = TimeSpan.FromTicks(next.DueTime - now);
                    }
                }

                if (_watching)
                {
                    _machine.ProcessorsIfStarted?.Watch(allotment);
                    wait = wait == Timeout.InfiniteTimeSpan || wait > poll ? poll : wait;
                }

                if (!_shutDown)
                {
                    Monitor.Wait(_gate, WaitMilliseconds(wait));
                }
            }
        }
    }

    // Rounds up, so the thread never wakes just before a due time and spins; waits longer than
    // Monitor.Wait accepts are cut short (the loop simply waits again).
    private static int WaitMilliseconds(TimeSpan wait)
        => wait == Timeout.InfiniteTimeSpan ? Timeout.Infinite : (int)Math.Clamp((wait.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond, 1, int.MaxValue);

    private static long AddSaturating(long now, long delta)
        => delta > 0 && now > long.MaxValue - delta ? long.MaxValue : now + delta;
}
