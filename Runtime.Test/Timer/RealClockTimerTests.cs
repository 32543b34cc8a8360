using System.Threading;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ke;

namespace PoolAnalyzers.Runtime.Test.Timer;

/// <summary>The default clock: the machine's clock thread expires timers. The tests wait on the DPC's signal, never for a guessed time.</summary>
public sealed class RealClockTimerTests
{
    [Fact]
    public void RelativeTimer_OnTheRealClock_ExpiresAndRunsItsDpc()
    {
        using var machine = new TestMachine();
        using var ran = new ManualResetEventSlim();
        var dpc = new KDPC();
        KeInitializeDpc(dpc, (_, _, _, _) => ran.Set(), null);
        var timer = new KTIMER();
        KeInitializeTimer(timer);

        KeSetTimer(timer, -10_000, dpc);   // 1 ms

        Patience.Wait(ran, "the timer's DPC");
        Assert.True(KeReadStateTimer(timer));
        Assert.False(KeCancelTimer(timer));
    }

    [Fact]
    public void AbsoluteAndPeriodicTimers_OnTheRealClock_Expire()
    {
        using var machine = new TestMachine();
        int runs = 0;
        using var thirdRun = new ManualResetEventSlim();
        var dpc = new KDPC();
        KeInitializeDpc(dpc, (_, _, _, _) =>
        {
            if (Interlocked.Increment(ref runs) == 3)
            {
                thirdRun.Set();
            }
        }, null);
        var timer = new KTIMER();
        KeInitializeTimer(timer);

        KeSetTimerEx(timer, SystemClock.Real.SystemTime + 10_000, 1, dpc);

        Patience.Wait(thirdRun, "three expiries of a periodic timer");
        Assert.True(KeCancelTimer(timer));
    }

    [Fact]
    public void TimerCancelledBeforeItsTime_OnTheRealClock_NeverRuns()
    {
        using var machine = new TestMachine();
        var recorder = new DpcRecorder();
        var timer = new KTIMER();
        KeInitializeTimer(timer);

        KeSetTimer(timer, -36_000_000_000, recorder.Dpc);   // an hour from now

        Assert.True(KeCancelTimer(timer));
        Assert.False(KeReadStateTimer(timer));
        Assert.Equal(0, recorder.Count);
    }

    [Fact]
    public void RealClock_SystemTime_IsTheHostsUtcTimeAsFileTime()
    {
        long before = System.DateTime.UtcNow.ToFileTimeUtc();
        long now = SystemClock.Real.SystemTime;
        long after = System.DateTime.UtcNow.ToFileTimeUtc();
        Assert.InRange(now, before, after);
    }
}
