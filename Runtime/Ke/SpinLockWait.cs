using System;
using System.Diagnostics;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The waiting half of a spin-lock acquisition. It polls with a short pause between reads (a
/// hand-off is seen within about one pause, not after a growing back-off), then yields the
/// processor between polls, so a preempted holder (or the waiter whose turn it is) can run; past
/// the machine's DPC watchdog it gives up with DPC_WATCHDOG_VIOLATION (0x133, P1 1: too long at
/// DISPATCH_LEVEL, P2 the allotment in clock ticks) rather than spinning forever on a lock whose
/// owner is gone (KERNEL-FACTS §12).
/// </summary>
/// <remarks>
/// It never sleeps: with first-come-first-served hand-off, a waiter asleep when its turn comes
/// holds up everyone behind it for the whole sleep, and two threads taking turns would sleep in
/// turn (a convoy). Yielding keeps the processor available to others without that cost.
/// </remarks>
internal struct SpinLockWait
{
    // A few microseconds of pauses before the first yield: a hand-off between two running threads
    // takes well under one; past that, the thread to wait for is probably not running (preempted,
    // or sharing this core), and spinning on only delays it.
    private const int BusySpins = 16;

    private int _count;

    // Stopwatch timestamp at which the wait gives up; 0 until the wait first yields, so short waits
    // never read the clock.
    private long _deadline;

    /// <summary>Waits a little; throws the watchdog bug check once the wait has lasted too long.</summary>
    public void SpinOnce(KernelThread thread)
    {
        if (TimedOut(thread))
        {
            throw Violation(thread);
        }
    }

    /// <summary>Waits a little; true once the wait has lasted longer than the watchdog allows.</summary>
    public bool TimedOut(KernelThread thread)
    {
        int count = ++_count;
        if (count <= BusySpins)
        {
            Thread.SpinWait(1);
            return false;
        }

        Thread.Yield();

        long now = Stopwatch.GetTimestamp();
        if (_deadline == 0)
        {
            _deadline = now + DpcWatchdog.TimestampTicks(Timeout(thread));
            return false;
        }

        return now > _deadline;
    }

    public static BugCheckException Violation(KernelThread thread)
    {
        TimeSpan timeout = Timeout(thread);
        return BugCheck.Raise(BugCheckNames.DPC_WATCHDOG_VIOLATION, 1, DpcWatchdog.ClockTicks(timeout), 0, 0,
            $"a spin-lock wait spun at DISPATCH_LEVEL for longer than the DPC watchdog allows ({timeout.TotalMilliseconds:0.###} ms): the lock's owner never released it (it deadlocked, exited or left the processor while holding it)");
    }

    private static TimeSpan Timeout(KernelThread thread) => (thread.System ?? KernelSystem.Default).Configuration.DpcWatchdogTimeout;
}
