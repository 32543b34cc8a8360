using System.Threading;
using System.Threading.Tasks;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ke;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime.Test.Irql;

/// <summary>
/// A raised IRQL never outlives the code that raised it on a thread: entering a machine starts at
/// PASSIVE_LEVEL, leaving it restores the level, and an async flow that gives its thread back at
/// raised IRQL is reported (0x4A) with the thread returned to PASSIVE_LEVEL, on an entered machine
/// and on the default one alike. The default machine's crash lasts as long as the process, so those
/// cases run in a child process.
/// </summary>
public sealed class IrqlHygieneTests
{
    [Fact]
    public void EnteringAMachine_StartsAtPassive_WhateverEarlierCodeLeftOnTheThread()
    {
        Patience.OnOtherThread(() =>
        {
            using (new TestMachine())
            {
                KeRaiseIrql(DISPATCH_LEVEL, out _);   // an earlier test that failed at raised IRQL
            }

            Assert.Equal(PASSIVE_LEVEL, KeGetCurrentIrql());
            KeRaiseIrql(APC_LEVEL, out _);           // left raised outside any machine
            using var machine = new TestMachine();
            Assert.Equal(PASSIVE_LEVEL, KeGetCurrentIrql());
        }, "the test thread");
    }

    [Fact]
    public void NestedMachine_StartsAtPassive_AndTheOuterLevelComesBack()
    {
        Patience.OnOtherThread(() =>
        {
            using var outer = new TestMachine();
            KeRaiseIrql(APC_LEVEL, out KIRQL old);
            using (new TestMachine())
            {
                Assert.Equal(PASSIVE_LEVEL, KeGetCurrentIrql());
                KeRaiseIrql(DISPATCH_LEVEL, out _);
            }

            Assert.Equal(APC_LEVEL, KeGetCurrentIrql());
            KeLowerIrql(old);
        }, "the test thread");
    }

    [Fact]
    public async Task AwaitAtRaisedIrql_OnThePool_IsReported0x4A_AndTheFlowResumesAtPassive()
    {
        using var machine = new TestMachine();
        KIRQL afterResume = HIGH_LEVEL;
        await Task.Run(async () =>
        {
            KeRaiseIrql(DISPATCH_LEVEL, out _);
            await Task.Yield();
            afterResume = KernelThread.Current.Irql;
        });

        ReportedOn(machine.System);
        Assert.Throws<BugCheckException>(machine.System.Dispose);
        Assert.Equal(PASSIVE_LEVEL, afterResume);
    }

    // The thread the flow gave back is read after the flow ended: on the pool, another test's work
    // may be running on it by then, so the flow runs on a thread of its own. Afterwards the test goes
    // on in its own context or on the pool (ForceYielding), never on that thread, where disposing the
    // scheduler would wait for the thread to end.
    [Fact]
    public async Task AwaitAtRaisedIrql_TheThreadItGaveBack_IsAtPassive()
    {
        using var machine = new TestMachine();
        using var own = new OwnThreadScheduler();
        KernelThread? left = null;
        KIRQL afterResume = HIGH_LEVEL;
        await Task.Factory.StartNew(
            async () =>
            {
                left = KernelThread.Current;
                KeRaiseIrql(DISPATCH_LEVEL, out _);
                await Task.Yield();   // resumes on the same thread, after it was given back
                afterResume = KernelThread.Current.Irql;
            },
            CancellationToken.None,
            TaskCreationOptions.None,
            own).Unwrap().ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext | ConfigureAwaitOptions.ForceYielding);

        ReportedOn(machine.System);
        Assert.Throws<BugCheckException>(machine.System.Dispose);
        Assert.Equal(PASSIVE_LEVEL, left!.Irql);
        Assert.Equal(PASSIVE_LEVEL, afterResume);
    }

    [Fact]
    public async Task AwaitAtPassive_IsNotReported()
    {
        using var machine = new TestMachine();
        await Task.Run(async () =>
        {
            KeRaiseIrql(DISPATCH_LEVEL, out KIRQL old);
            KeLowerIrql(old);
            await Task.Yield();
        });

        Assert.Null(machine.System.Crash);
    }

    [Fact]
    public void AwaitAtRaisedIrql_OnTheDefaultMachine_IsReported0x4A_AndTheThreadGoesBackToPassive()
        => ChildProcess.Run(DefaultMachineFlowLeavesRaised);

    [Fact]
    public void AwaitAtPassive_OnTheDefaultMachine_IsNotReported()
        => ChildProcess.Run(DefaultMachineFlowLowersFirst);

    private static void DefaultMachineFlowLeavesRaised()
    {
        KernelThread? left = null;
        KIRQL afterResume = HIGH_LEVEL;
        Task.Run(async () =>
        {
            left = KernelThread.Current;
            KeRaiseIrql(DISPATCH_LEVEL, out _);
            await Task.Yield();
            afterResume = KernelThread.Current.Irql;
        }).GetAwaiter().GetResult();

        BugCheckException crash = ReportedOn(KernelSystem.Default);
        Assert.Equal(PASSIVE_LEVEL, left!.Irql);
        Assert.Equal(PASSIVE_LEVEL, afterResume);

        // The driver's code meets the crash at its next call on the machine.
        BugCheckException next = Assert.Throws<BugCheckException>(() => KeGetCurrentIrql());
        Assert.Same(crash, next);
    }

    private static void DefaultMachineFlowLowersFirst()
    {
        var spinLock = new KSPIN_LOCK();
        Task.Run(async () =>
        {
            KeAcquireSpinLock(spinLock, out KIRQL old);
            KeReleaseSpinLock(spinLock, old);
            KeRaiseIrql(APC_LEVEL, out old);
            KeLowerIrql(old);
            await Task.Yield();
        }).GetAwaiter().GetResult();

        // Many flows later (thread-pool threads reused, contexts restored), still nothing reported.
        for (int i = 0; i < 100; i++)
        {
            Task.Run(() => KeLowerIrql(KeRaiseIrqlToDpcLevel())).GetAwaiter().GetResult();
        }

        Assert.Null(KernelSystem.Default.Crash);
    }

    /// <summary>Waits for <paramref name="system"/> to crash with 0x4A for a flow that left at DISPATCH_LEVEL, and returns the crash.</summary>
    private static BugCheckException ReportedOn(KernelSystem system)
    {
        Patience.Until(() => system.Crash is not null, "the raised thread to be reported");
        BugCheckException crash = system.Crash!;
        Assert.Equal(BugCheckNames.IRQL_GT_ZERO_AT_SYSTEM_SERVICE, crash.BugCheckCode);
        Assert.Equal((ulong)DISPATCH_LEVEL, crash.Parameter2);
        Assert.Contains("gave its thread back at DISPATCH_LEVEL", crash.Message, System.StringComparison.Ordinal);
        return crash;
    }
}
