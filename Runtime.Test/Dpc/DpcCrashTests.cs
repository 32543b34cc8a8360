using System;
using System.Threading;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.Ke;
using static PoolAnalyzers.Runtime.KIRQL;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Dpc;

/// <summary>
/// A bug check or exception inside a DPC routine crashes the machine, never the host: the crash is
/// kept on <see cref="KernelSystem.Crash"/> and thrown by the next flush, every later Ex/Ke call and
/// Dispose.
/// </summary>
public sealed class DpcCrashTests
{
    [Fact]
    public void ExceptionInARoutine_BecomesKmodeExceptionNotHandled_WithTheExceptionInside()
    {
        var machine = new KernelSystem(new SystemConfiguration { ProcessorCount = 2 });
        var thrown = new InvalidOperationException("the device vanished");
        BugCheckException crash;
        using (machine.Enter())
        {
            Assert.Null(machine.Crash);
            var dpc = new KDPC();
            KeInitializeDpc(dpc, (_, _, _, _) => throw thrown, null);
            KeInsertQueueDpc(dpc, null, null);

            crash = Assert.Throws<BugCheckException>(KeFlushQueuedDpcs);

            Assert.Equal(BugCheckNames.KMODE_EXCEPTION_NOT_HANDLED, crash.BugCheckCode);
            Assert.Equal((ulong)(uint)thrown.HResult, crash.Parameter1);
            Assert.Equal(0UL, crash.Parameter2);
            Assert.Same(thrown, crash.InnerException);
            Assert.StartsWith("KMODE_EXCEPTION_NOT_HANDLED (0x1E): the DPC routine", crash.Message, StringComparison.Ordinal);
            Assert.Contains("InvalidOperationException", crash.Message, StringComparison.Ordinal);
            Assert.Same(crash, machine.Crash);
        }

        Assert.Same(crash, Assert.Throws<BugCheckException>(machine.Dispose));
        machine.Dispose();
    }

    [Fact]
    public void RaisedStatusInARoutine_ReportsTheStatusAsTheExceptionCode()
    {
        var machine = new KernelSystem();
        using (machine.Enter())
        {
            var dpc = new KDPC();
            KeInitializeDpc(dpc, (_, _, _, _) => throw new NtStatusException(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, "raised in a DPC"), null);
            KeInsertQueueDpc(dpc, null, null);

            BugCheckException crash = Assert.Throws<BugCheckException>(KeFlushQueuedDpcs);

            Assert.Equal(BugCheckNames.KMODE_EXCEPTION_NOT_HANDLED, crash.BugCheckCode);
            Assert.Equal(0xC000009AUL, crash.Parameter1);
            Assert.IsType<NtStatusException>(crash.InnerException);
        }

        Assert.Throws<BugCheckException>(machine.Dispose);
    }

    [Fact]
    public void BugCheckInARoutine_IsTheCrash_AsRaised()
    {
        var machine = new KernelSystem();
        using (machine.Enter())
        {
            var dpc = new KDPC();
            KeInitializeDpc(dpc, (_, _, _, _) => KeBugCheckEx(0xDEAD, 1, 2, 3, 4), null);
            KeInsertQueueDpc(dpc, null, null);

            BugCheckException crash = Assert.Throws<BugCheckException>(KeFlushQueuedDpcs);

            Assert.Equal(0xDEADu, crash.BugCheckCode);
            Assert.Equal((1UL, 2UL, 3UL, 4UL), (crash.Parameter1, crash.Parameter2, crash.Parameter3, crash.Parameter4));
            Assert.Same(crash, machine.Crash);
            Assert.Contains(nameof(KeBugCheckEx), crash.StackTrace, StringComparison.Ordinal);
        }

        Assert.Throws<BugCheckException>(machine.Dispose);
    }

    [Fact]
    public void PagedPoolInARoutine_CrashesTheMachineWithTheRuntimesBugCheck()
    {
        var machine = new KernelSystem();
        using (machine.Enter())
        {
            var dpc = new KDPC();
            KeInitializeDpc(dpc, (_, _, _, _) => ExAllocatePoolWithTag(PagedPool, 64, "Page"), null);
            KeInsertQueueDpc(dpc, null, null);

            BugCheckException crash = Assert.Throws<BugCheckException>(KeFlushQueuedDpcs);

            Assert.Equal(BugCheckNames.BAD_POOL_CALLER, crash.BugCheckCode);
            Assert.Equal(0x08UL, crash.Parameter1);
            Assert.Equal((ulong)DISPATCH_LEVEL, crash.Parameter2);
        }

        Assert.Throws<BugCheckException>(machine.Dispose);
    }

    [Theory]
    [InlineData(HIGH_LEVEL)]
    [InlineData(PASSIVE_LEVEL)]
    public void RoutineReturningAtAnotherIrql_BugChecks0xC8(KIRQL returnedAt)
    {
        var machine = new KernelSystem();
        using (machine.Enter())
        {
            var dpc = new KDPC();
            KeInitializeDpc(dpc, (_, _, _, _) =>
            {
                if (returnedAt > DISPATCH_LEVEL)
                {
                    KeRaiseIrql(returnedAt, out _);
                }
                else
                {
                    KeLowerIrql(returnedAt);
                }
            }, null);
            KeInsertQueueDpc(dpc, null, null);

            BugCheckException crash = Assert.Throws<BugCheckException>(KeFlushQueuedDpcs);

            Assert.Equal(BugCheckNames.IRQL_UNEXPECTED_VALUE, crash.BugCheckCode);
            Assert.Equal(((ulong)returnedAt << 16) | ((ulong)DISPATCH_LEVEL << 8) | 2, crash.Parameter1);
            Assert.Equal((0UL, 0UL, 0UL), (crash.Parameter2, crash.Parameter3, crash.Parameter4));
        }

        Assert.Throws<BugCheckException>(machine.Dispose);
    }

    [Fact]
    public void RoutineReturningWithASpinLockTakenAtDpcLevel_IsNotAnIrqlCrash()
    {
        // KeAcquireSpinLockAtDpcLevel leaves the IRQL at DISPATCH_LEVEL, so a routine that forgets
        // the release returns at the right IRQL: as in the kernel, the IRQL check cannot see it (the
        // analyzers' POOL014 does). The lock simply stays held.
        var machine = new KernelSystem();
        var spinLock = new KSPIN_LOCK();
        using (machine.Enter())
        {
            var dpc = new KDPC();
            KeInitializeDpc(dpc, (_, _, _, _) => KeAcquireSpinLockAtDpcLevel(spinLock), null);
            KeInsertQueueDpc(dpc, null, null);
            KeFlushQueuedDpcs();
            Assert.Null(machine.Crash);
            Assert.True(spinLock.IsHeld);
        }

        machine.Dispose();
    }

    [Fact]
    public void RoutineRunningPastTheWatchdog_BugChecks0x133_WhileItStillRuns()
    {
        var machine = new KernelSystem(new SystemConfiguration { DpcWatchdogTimeout = TimeSpan.FromMilliseconds(100) });
        using var release = new ManualResetEventSlim();
        using var returned = new ManualResetEventSlim();
        using (machine.Enter())
        {
            var dpc = new KDPC();
            KeInitializeDpc(dpc, (_, _, _, _) =>
            {
                release.Wait(Patience.Limit);
                returned.Set();
            }, null);
            KeInsertQueueDpc(dpc, null, null);

            BugCheckException crash = Assert.Throws<BugCheckException>(KeFlushQueuedDpcs);

            Assert.Equal(BugCheckNames.DPC_WATCHDOG_VIOLATION, crash.BugCheckCode);
            Assert.Equal(0UL, crash.Parameter1);
            Assert.Equal(7UL, crash.Parameter3);                 // 100 ms in 15.625 ms clock ticks, rounded up
            Assert.True(crash.Parameter2 >= crash.Parameter3);   // it had run at least that long
            Assert.False(returned.IsSet);
            release.Set();
            Patience.Wait(returned, "the stuck routine to return");
        }

        Assert.Throws<BugCheckException>(machine.Dispose);
    }

    [Fact]
    public void FlushFromARoutine_BugChecks0xB8()
    {
        var machine = new KernelSystem();
        using (machine.Enter())
        {
            var dpc = new KDPC();
            KeInitializeDpc(dpc, (_, _, _, _) =>
            {
                KeLowerIrql(PASSIVE_LEVEL);   // not even a PASSIVE DPC routine may wait
                KeFlushQueuedDpcs();
            }, null);
            KeInsertQueueDpc(dpc, null, null);

            BugCheckException crash = Assert.Throws<BugCheckException>(KeFlushQueuedDpcs);

            Assert.Equal(BugCheckNames.ATTEMPTED_SWITCH_FROM_DPC, crash.BugCheckCode);
            Assert.Equal((0UL, 0UL, 0UL, 0UL), (crash.Parameter1, crash.Parameter2, crash.Parameter3, crash.Parameter4));
        }

        Assert.Throws<BugCheckException>(machine.Dispose);
    }

    [Fact]
    public void CrashedMachine_ThrowsTheCrashFromEveryExAndKeCall_IncludingThePoolFastPath()
    {
        var machine = new KernelSystem(new SystemConfiguration { ProcessorCount = 2 });
        var list = new NPAGED_LOOKASIDE_LIST();
        var zone = new ZONE_HEADER();
        var timer = new KTIMER();
        var spinLock = new KSPIN_LOCK();
        var survivor = new KDPC();
        BugCheckException crash;
        using (machine.Enter())
        {
            // Warm the pool's and the list's per-thread caches, so the calls below would take the fast paths.
            ExFreePoolWithTag(ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Warm"), "Warm");
            nint held = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Held");
            ExInitializeNPagedLookasideList(list, null, null, 0, 64, "Look", 0);
            ExFreeToNPagedLookasideList(list, ExAllocateFromNPagedLookasideList(list));
            KeInitializeTimer(timer);
            KeInitializeDpc(survivor, (_, _, _, _) => { }, null);
            crash = CrashWith(new InvalidOperationException("boom"));

            Assert.Same(crash, Assert.Throws<BugCheckException>(() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Warm")));
            Assert.Same(crash, Assert.Throws<BugCheckException>(() => ExFreePoolWithTag(held, "Held")));
            Assert.Same(crash, Assert.Throws<BugCheckException>(() => ExAllocateFromNPagedLookasideList(list)));
            Assert.Same(crash, Assert.Throws<BugCheckException>(() => ExDeleteNPagedLookasideList(list)));
            Assert.Same(crash, Assert.Throws<BugCheckException>(() => ExAllocateFromZone(zone)));
            Assert.Same(crash, Assert.Throws<BugCheckException>(() => KeGetCurrentIrql()));
            Assert.Same(crash, Assert.Throws<BugCheckException>(() => KeRaiseIrql(DISPATCH_LEVEL, out _)));
            Assert.Same(crash, Assert.Throws<BugCheckException>(() => KeAcquireSpinLock(spinLock, out _)));
            Assert.Same(crash, Assert.Throws<BugCheckException>(() => KeAcquireInStackQueuedSpinLock(spinLock, out _)));
            Assert.Same(crash, Assert.Throws<BugCheckException>(() => KeInsertQueueDpc(survivor, null, null)));
            Assert.Same(crash, Assert.Throws<BugCheckException>(() => KeRemoveQueueDpc(survivor)));
            Assert.Same(crash, Assert.Throws<BugCheckException>(() => KeInitializeDpc(new KDPC(), (_, _, _, _) => { }, null)));
            Assert.Same(crash, Assert.Throws<BugCheckException>(() => KeSetTimer(timer, -1, null)));
            Assert.Same(crash, Assert.Throws<BugCheckException>(() => KeCancelTimer(timer)));
            Assert.Same(crash, Assert.Throws<BugCheckException>(() => KeReadStateTimer(timer)));
            Assert.Same(crash, Assert.Throws<BugCheckException>(() => KeQueryActiveProcessorCount()));
            Assert.Same(crash, Assert.Throws<BugCheckException>(() => KeGetCurrentProcessorNumber()));
            Assert.Same(crash, Assert.Throws<BugCheckException>(KeFlushQueuedDpcs));
            Assert.Same(crash, Assert.Throws<BugCheckException>(KeFlushQueuedDpcs));
            Assert.Equal(PASSIVE_LEVEL, KernelThread.Current.Irql);
            Assert.False(spinLock.IsHeld);
        }

        Assert.Same(crash, Assert.Throws<BugCheckException>(machine.Dispose));
        machine.Dispose();

        // Other machines are unaffected.
        using var healthy = new TestMachine();
        Assert.Equal(PASSIVE_LEVEL, KeGetCurrentIrql());
    }

    [Fact]
    public void CrashedMachine_RunsNoFurtherDpc_AndTheFirstCrashWins()
    {
        var machine = new KernelSystem(new SystemConfiguration { ProcessorCount = 2 });
        DpcRecorder late;
        BugCheckException crash;
        using (machine.Enter())
        {
            late = new DpcRecorder();
            var gate = ProcessorGate.Close(1);
            KeSetTargetProcessorDpc(late.Dpc, 1);
            KeInsertQueueDpc(late.Dpc, null, null);

            var second = new KDPC();
            KeInitializeDpc(second, (_, _, _, _) => throw new InvalidOperationException("second"), null);
            KeSetTargetProcessorDpc(second, 1);
            KeInsertQueueDpc(second, null, null);

            crash = CrashWith(new InvalidOperationException("first"), processor: 0);
            gate.Open();
        }

        // Dispose waits for the processor threads: nothing can run after it returns.
        Assert.Same(crash, Assert.Throws<BugCheckException>(machine.Dispose));
        Assert.Equal(0, late.Count);
        Assert.Equal("first", machine.Crash!.InnerException!.Message);
    }

    /// <summary>Queues a DPC on <paramref name="processor"/> that throws, and returns the crash the flush reports.</summary>
    private static BugCheckException CrashWith(Exception exception, byte processor = 0)
    {
        var dpc = new KDPC();
        KeInitializeDpc(dpc, (_, _, _, _) => throw exception, null);
        KeSetTargetProcessorDpc(dpc, processor);
        KeInsertQueueDpc(dpc, null, null);
        BugCheckException crash = Assert.Throws<BugCheckException>(KeFlushQueuedDpcs);
        Assert.Same(exception, crash.InnerException);
        return crash;
    }
}
