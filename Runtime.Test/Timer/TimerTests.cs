using System;
using System.Collections.Concurrent;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ke;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime.Test.Timer;

/// <summary>Timers on a <see cref="ManualClock"/>: every expiry happens inside Advance, so nothing here waits for time to pass.</summary>
public sealed class TimerTests : IDisposable
{
    private const long OneSecond = -10_000_000;   // relative due time: negative, in 100 ns

    private readonly ManualClock _clock = new();
    private readonly TestMachine _machine;

    public TimerTests() => _machine = new TestMachine(new SystemConfiguration { Clock = _clock, ProcessorCount = 2 });

    public void Dispose() => _machine.Dispose();

    [Fact]
    public void RelativeTimer_ExpiresWhenItsTimeHasPassed_SignalsAndQueuesItsDpcOnce()
    {
        var recorder = new DpcRecorder("context");
        KTIMER timer = NewTimer();

        Assert.False(KeSetTimer(timer, OneSecond, recorder.Dpc));
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        KeFlushQueuedDpcs();
        Assert.False(KeReadStateTimer(timer));
        Assert.Equal(0, recorder.Count);

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(KeReadStateTimer(timer));
        KeFlushQueuedDpcs();

        DpcRun run = Assert.Single(recorder.Runs);
        Assert.Equal("context", run.Context);
        Assert.Null(run.Argument1);
        Assert.Null(run.Argument2);
        Assert.Equal(DISPATCH_LEVEL, run.Irql);

        _clock.Advance(TimeSpan.FromHours(1));
        KeFlushQueuedDpcs();
        Assert.Equal(1, recorder.Count);
    }

    [Fact]
    public void AbsoluteTimer_ExpiresAtThatSystemTime()
    {
        KTIMER timer = NewTimer();
        long dueAt = _clock.SystemTime + (5 * 10_000_000L);

        KeSetTimer(timer, dueAt, null);
        _clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(KeReadStateTimer(timer));
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.True(KeReadStateTimer(timer));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    public void DueTimeAlreadyPast_ExpiresInsideTheSetCall(long absoluteDueTime)
    {
        var recorder = new DpcRecorder();
        KTIMER timer = NewTimer();

        Assert.False(KeSetTimer(timer, absoluteDueTime, recorder.Dpc));

        Assert.True(KeReadStateTimer(timer));
        KeFlushQueuedDpcs();
        Assert.Equal(1, recorder.Count);
        Assert.False(KeCancelTimer(timer));
    }

    [Fact]
    public void SettingASetTimer_ReturnsTrue_ReplacesItsDueTime_AndClearsTheSignal()
    {
        KTIMER timer = NewTimer();
        KeSetTimer(timer, 0, null);
        Assert.True(KeReadStateTimer(timer));

        Assert.False(KeSetTimer(timer, OneSecond, null));
        Assert.False(KeReadStateTimer(timer));
        Assert.True(KeSetTimer(timer, 5 * OneSecond, null));

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(KeReadStateTimer(timer));
        _clock.Advance(TimeSpan.FromSeconds(4));
        Assert.True(KeReadStateTimer(timer));
    }

    [Fact]
    public void CancelledTimer_NeverExpires_AndCancelReportsWhetherItWasSet()
    {
        var recorder = new DpcRecorder();
        KTIMER timer = NewTimer();
        Assert.False(KeCancelTimer(timer));

        KeSetTimer(timer, OneSecond, recorder.Dpc);
        Assert.True(KeCancelTimer(timer));
        Assert.False(KeCancelTimer(timer));
        _clock.Advance(TimeSpan.FromSeconds(2));
        KeFlushQueuedDpcs();

        Assert.False(KeReadStateTimer(timer));
        Assert.Equal(0, recorder.Count);
    }

    [Fact]
    public void CancellingAOneShotTimerThatFired_ReturnsFalse_AndKeepsItSignalled()
    {
        KTIMER timer = NewTimer();
        KeSetTimer(timer, OneSecond, null);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.False(KeCancelTimer(timer));
        Assert.True(KeReadStateTimer(timer));
    }

    [Fact]
    public void PeriodicTimer_ExpiresEveryPeriod_UntilCancelled()
    {
        var recorder = new DpcRecorder();
        KTIMER timer = NewTimer();
        Assert.False(KeSetTimerEx(timer, OneSecond, 500, recorder.Dpc));

        _clock.Advance(TimeSpan.FromSeconds(1));
        KeFlushQueuedDpcs();
        Assert.Equal(1, recorder.Count);
        for (int period = 2; period <= 5; period++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(499));
            KeFlushQueuedDpcs();
            Assert.Equal(period - 1, recorder.Count);
            _clock.Advance(TimeSpan.FromMilliseconds(1));
            KeFlushQueuedDpcs();
            Assert.Equal(period, recorder.Count);
        }

        Assert.True(KeCancelTimer(timer));
        _clock.Advance(TimeSpan.FromSeconds(10));
        KeFlushQueuedDpcs();
        Assert.Equal(5, recorder.Count);
    }

    [Fact]
    public void PeriodicTimer_AdvancedSeveralPeriodsAtOnce_FiresOnce_AndIsDueAPeriodAfterTheNewTime()
    {
        var recorder = new DpcRecorder();
        KTIMER timer = NewTimer();
        KeSetTimerEx(timer, OneSecond, 100, recorder.Dpc);

        _clock.Advance(TimeSpan.FromSeconds(2));
        KeFlushQueuedDpcs();
        Assert.Equal(1, recorder.Count);

        _clock.Advance(TimeSpan.FromMilliseconds(99));
        KeFlushQueuedDpcs();
        Assert.Equal(1, recorder.Count);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        KeFlushQueuedDpcs();
        Assert.Equal(2, recorder.Count);
    }

    [Fact]
    public void TimerFiringWhileItsDpcIsStillQueued_DoesNotQueueItTwice()
    {
        var recorder = new DpcRecorder();
        KeSetTargetProcessorDpc(recorder.Dpc, 1);
        KTIMER timer = NewTimer();
        KeSetTimerEx(timer, OneSecond, 1000, recorder.Dpc);

        using (var gate = ProcessorGate.Close(1))
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            _clock.Advance(TimeSpan.FromSeconds(1));
            Assert.True(recorder.Dpc.IsQueued);
            gate.Open();
        }

        KeFlushQueuedDpcs();
        Assert.Equal(1, recorder.Count);
        KeCancelTimer(timer);
    }

    [Theory]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void DueTimesAtTheEndsOfTheRange_NeverExpire_AndNeverOverflow(long dueTime)
    {
        KTIMER timer = NewTimer();
        KeSetTimerEx(timer, dueTime, 1, null);

        _clock.Advance(TimeSpan.FromDays(365 * 100));

        Assert.False(KeReadStateTimer(timer));
        Assert.True(KeCancelTimer(timer));
    }

    [Fact]
    public void TimerWithoutADpc_IsOnlySignalled()
    {
        KTIMER timer = NewTimer();
        KeSetTimer(timer, OneSecond, null);
        _clock.Advance(TimeSpan.FromSeconds(1));
        KeFlushQueuedDpcs();
        Assert.True(KeReadStateTimer(timer));
    }

    [Fact]
    public void TimersDueTogether_QueueTheirDpcsInTheOrderTheyWereSet()
    {
        var order = new ConcurrentQueue<int>();
        var timers = new KTIMER[20];
        for (int i = 0; i < timers.Length; i++)
        {
            var dpc = new KDPC();
            KeInitializeDpc(dpc, (_, context, _, _) => order.Enqueue((int)context!), i);
            KeSetTargetProcessorDpc(dpc, 0);
            timers[i] = NewTimer();
            KeSetTimer(timers[i], OneSecond, dpc);
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        KeFlushQueuedDpcs();

        Assert.Equal(System.Linq.Enumerable.Range(0, timers.Length), order);
    }

    [Fact]
    public void TimersExpireEarliestFirst_WhateverTheOrderTheyWereSet()
    {
        var order = new ConcurrentQueue<int>();
        int[] dueSeconds = [5, 1, 4, 2, 3];
        foreach (int seconds in dueSeconds)
        {
            var dpc = new KDPC();
            KeInitializeDpc(dpc, (_, context, _, _) => order.Enqueue((int)context!), seconds);
            KeSetTimer(NewTimer(), seconds * OneSecond, dpc);
        }

        for (int second = 1; second <= 5; second++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            KeFlushQueuedDpcs();
            Assert.Equal(second, order.Count);
        }

        Assert.Equal([1, 2, 3, 4, 5], order);
    }

    [Fact]
    public void TimersDpc_RunsOnTheProcessorOfTheThreadThatSetIt_UnlessTheDpcNamesOne()
    {
        var recorder = new DpcRecorder();
        var targeted = new DpcRecorder();
        KeSetTargetProcessorDpc(targeted.Dpc, (byte)(1 - KeGetCurrentProcessorNumber()));
        KeSetTimer(NewTimer(), OneSecond, recorder.Dpc);
        KeSetTimer(NewTimer(), OneSecond, targeted.Dpc);

        _clock.Advance(TimeSpan.FromSeconds(1));
        KeFlushQueuedDpcs();

        Assert.Equal(KeGetCurrentProcessorNumber(), Assert.Single(recorder.Runs).Processor);
        Assert.Equal(1 - KeGetCurrentProcessorNumber(), Assert.Single(targeted.Runs).Processor);
    }

    [Fact]
    public void Timers_CanBeSetAndCancelledAtDispatchLevel()
    {
        KTIMER timer = NewTimer();
        using (IrqlScope.Raise(DISPATCH_LEVEL))
        {
            KeSetTimerEx(timer, OneSecond, 10, null);
            Assert.False(KeReadStateTimer(timer));
            Assert.True(KeCancelTimer(timer));
            KeInitializeTimer(timer);
        }
    }

    [Fact]
    public void OneClock_DrivesEveryMachineCreatedOnIt()
    {
        using var second = new KernelSystem(new SystemConfiguration { Clock = _clock });
        KTIMER mine = NewTimer();
        var theirs = new KTIMER();
        using (second.Enter())
        {
            KeInitializeTimer(theirs);
            KeSetTimer(theirs, OneSecond, null);
        }

        KeSetTimer(mine, OneSecond, null);
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.True(KeReadStateTimer(mine));
        Assert.True(KeReadStateTimer(theirs));
    }

    [Fact]
    public void DisposedMachine_NoLongerExpiresItsTimers()
    {
        var machine = new KernelSystem(new SystemConfiguration { Clock = _clock });
        var timer = new KTIMER();
        using (machine.Enter())
        {
            KeInitializeTimer(timer);
            KeSetTimer(timer, OneSecond, null);
        }

        machine.Dispose();
        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.False(KeReadStateTimer(timer));
        Assert.Throws<ObjectDisposedException>(() => KeSetTimer(timer, OneSecond, null));
        Assert.Throws<ObjectDisposedException>(() => KeCancelTimer(timer));
    }

    private static KTIMER NewTimer()
    {
        var timer = new KTIMER();
        KeInitializeTimer(timer);
        return timer;
    }
}
