using System;
using System.Diagnostics;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The waiting half of a spin-lock acquisition. It polls with a short pause between reads (a
/// hand-off is seen within about one pause, not after a growing back-off), then yields the
/// processor, sleeping now and then so a preempted holder can run; past the machine's DPC watchdog
/// it gives up with DPC_WATCHDOG_VIOLATION (0x133, P1 1: too long at DISPATCH_LEVEL, P2 the
/// allotment in clock ticks) rather than spinning forever on a lock whose owner is gone
/// (KERNEL-FACTS §12).
/// </summary>
internal struct SpinLockWait
{
    // About 10-20 µs of pauses before the first yield: long enough for any critical section a spin
    // lock should guard, short enough not to starve a preempted holder on a busy machine.
    private const int BusySpins = 256;
    private const int YieldsPerSleep = 64;

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

        if ((count - BusySpins) % YieldsPerSleep == 0)
        {
            Thread.Sleep(1);
        }
        else
        {
            Thread.Yield();
        }

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
