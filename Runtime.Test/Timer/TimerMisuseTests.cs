using System;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ke;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime.Test.Timer;

public sealed class TimerMisuseTests
{
    [Fact]
    public void NullTimer_ThrowsArgumentNullException_FromEveryRoutine()
    {
        using var machine = new TestMachine();
        Assert.Equal("Timer", Assert.Throws<ArgumentNullException>(() => KeInitializeTimer(null!)).ParamName);
        Assert.Equal("Timer", Assert.Throws<ArgumentNullException>(() => KeSetTimer(null!, -1, null)).ParamName);
        Assert.Equal("Timer", Assert.Throws<ArgumentNullException>(() => KeSetTimerEx(null!, -1, 1, null)).ParamName);
        Assert.Equal("Timer", Assert.Throws<ArgumentNullException>(() => KeCancelTimer(null!)).ParamName);
        Assert.Equal("Timer", Assert.Throws<ArgumentNullException>(() => KeReadStateTimer(null!)).ParamName);
    }

    [Fact]
    public void TimerNeverInitialized_IsRejectedByEveryRoutine()
    {
        using var machine = new TestMachine();
        var timer = new KTIMER();
        AssertNotInitialized(() => KeSetTimer(timer, -1, null), nameof(KeSetTimer));
        AssertNotInitialized(() => KeSetTimerEx(timer, -1, 5, null), nameof(KeSetTimerEx));
        AssertNotInitialized(() => KeCancelTimer(timer), nameof(KeCancelTimer));
        AssertNotInitialized(() => KeReadStateTimer(timer), nameof(KeReadStateTimer));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void NegativePeriod_ThrowsArgumentOutOfRange_AndLeavesTheTimerAlone(int period)
    {
        var clock = new ManualClock();
        using var machine = new TestMachine(new SystemConfiguration { Clock = clock });
        var timer = new KTIMER();
        KeInitializeTimer(timer);
        KeSetTimer(timer, -10_000_000, null);

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => KeSetTimerEx(timer, -1, period, null));

        Assert.Equal("Period", error.ParamName);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(KeReadStateTimer(timer));
    }

    [Fact]
    public void DpcNeverInitialized_OrFromAnotherMachine_IsRejected()
    {
        using var other = new KernelSystem();
        var foreign = new KDPC();
        using (other.Enter())
        {
            KeInitializeDpc(foreign, (_, _, _, _) => { }, null);
        }

        using var machine = new TestMachine();
        var timer = new KTIMER();
        KeInitializeTimer(timer);

        ArgumentException uninitialized = Assert.Throws<ArgumentException>(() => KeSetTimer(timer, -1, new KDPC()));
        ArgumentException elsewhere = Assert.Throws<ArgumentException>(() => KeSetTimer(timer, -1, foreign));

        Assert.Equal("Dpc", uninitialized.ParamName);
        Assert.Equal("Dpc", elsewhere.ParamName);
        Assert.Contains("another KernelSystem", elsewhere.Message, StringComparison.Ordinal);
        Assert.False(KeCancelTimer(timer));
    }

    [Fact]
    public void TimerRoutinesAboveDispatch_BugCheck0x0A_WithTheIrql()
    {
        using var machine = new TestMachine();
        var timer = new KTIMER();
        KeInitializeTimer(timer);
        using var raised = IrqlScope.Raise(HIGH_LEVEL);

        foreach (Action call in new Action[]
        {
            () => KeInitializeTimer(timer),
            () => KeSetTimer(timer, -1, null),
            () => KeSetTimerEx(timer, -1, 1, null),
            () => KeCancelTimer(timer),
            () => KeReadStateTimer(timer),
        })
        {
            BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.IRQL_NOT_LESS_OR_EQUAL, 0, call);
            Assert.Equal((ulong)HIGH_LEVEL, bugCheck.Parameter2);
        }
    }

    [Fact]
    public void InitializingASetTimer_BugChecks0xC7_AndTheTimerStaysSet()
    {
        var clock = new ManualClock();
        using var machine = new TestMachine(new SystemConfiguration { Clock = clock });
        var timer = new KTIMER();
        KeInitializeTimer(timer);
        KeSetTimer(timer, -10_000_000, null);

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.TIMER_OR_DPC_INVALID, 0, () => KeInitializeTimer(timer));

        Assert.Equal(0UL, bugCheck.Parameter2);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(KeReadStateTimer(timer));
        KeInitializeTimer(timer);
        Assert.False(KeReadStateTimer(timer));
    }

    [Fact]
    public void ManualClock_RejectsMovingBackwardsOrPastTheEndOfTime()
    {
        var clock = new ManualClock();
        Assert.Equal(ManualClock.DefaultStartTime, clock.SystemTime);
        Assert.Equal("elapsed", Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromTicks(-1))).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ManualClock(-1));

        clock.Advance(TimeSpan.FromSeconds(3));
        clock.Advance(TimeSpan.Zero);
        Assert.Equal(ManualClock.DefaultStartTime + 30_000_000, clock.SystemTime);
        Assert.Equal(new DateTime(2025, 1, 1, 0, 0, 3, DateTimeKind.Utc), DateTime.FromFileTimeUtc(clock.SystemTime));
    }

    [Fact]
    public void ConfigurationWithoutAClock_OrWithABadWatchdog_IsRejected()
    {
        Assert.Contains("Clock", Assert.Throws<ArgumentException>(() => new KernelSystem(new SystemConfiguration { Clock = null! })).Message, StringComparison.Ordinal);
        foreach (TimeSpan watchdog in new[] { TimeSpan.Zero, TimeSpan.FromTicks(-1), TimeSpan.FromDays(2), System.Threading.Timeout.InfiniteTimeSpan })
        {
            ArgumentException error = Assert.Throws<ArgumentException>(() => new KernelSystem(new SystemConfiguration { DpcWatchdogTimeout = watchdog }));
            Assert.Contains("DpcWatchdogTimeout", error.Message, StringComparison.Ordinal);
        }
    }

    private static void AssertNotInitialized(Action call, string routine)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(call);
        Assert.Equal("Timer", error.ParamName);
        Assert.StartsWith($"{routine}: the KTIMER was never initialized", error.Message, StringComparison.Ordinal);
    }
}
