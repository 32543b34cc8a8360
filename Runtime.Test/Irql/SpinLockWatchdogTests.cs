using System;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ke;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime.Test.Irql;

/// <summary>A spin-lock wait never spins forever: past the DPC watchdog it stops with 0x133 (P1 1).</summary>
public sealed class SpinLockWatchdogTests
{
    private static readonly SystemConfiguration ShortWatchdog = new() { DpcWatchdogTimeout = TimeSpan.FromMilliseconds(100) };

    [Fact]
    public void QueuedWaiterOnALockNeverReleased_BugChecks0x133_AndTheLockPassesOverItsTicket()
    {
        var spinLock = new KSPIN_LOCK();
        KeAcquireInStackQueuedSpinLock(spinLock, out KLOCK_QUEUE_HANDLE holder);

        // The first waiter gives up; the second, queued behind it on a machine with a long watchdog,
        // must still get the lock when the holder releases: the release skips the abandoned ticket.
        BugCheckException? gaveUp = null;
        KIRQL irqlAfter = HIGH_LEVEL;
        Patience.OnOtherThread(() =>
        {
            using var machine = new TestMachine(ShortWatchdog);
            gaveUp = Assert.Throws<BugCheckException>(() => KeAcquireInStackQueuedSpinLock(spinLock, out _));
            irqlAfter = KeGetCurrentIrql();
        }, "the impatient waiter to give up");

        Assert.Equal(BugCheckNames.DPC_WATCHDOG_VIOLATION, gaveUp!.BugCheckCode);
        Assert.Equal(1UL, gaveUp.Parameter1);
        Assert.Equal(7UL, gaveUp.Parameter2);
        Assert.Equal(PASSIVE_LEVEL, irqlAfter);

        long abandonedTail = spinLock.LockWord;
        bool acquired = false;
        Patience.OtherThread patient = Patience.Start(() =>
        {
            KeAcquireInStackQueuedSpinLock(spinLock, out KLOCK_QUEUE_HANDLE handle);
            acquired = true;
            KeReleaseInStackQueuedSpinLock(ref handle);
        });
        Patience.Until(() => spinLock.LockWord != abandonedTail, "the patient waiter to queue");

        KeReleaseInStackQueuedSpinLock(ref holder);
        patient.Join("the patient waiter");
        Assert.True(acquired);
        Assert.False(spinLock.IsHeld);

        // The lock works as before.
        KeAcquireInStackQueuedSpinLock(spinLock, out KLOCK_QUEUE_HANDLE again);
        KeReleaseInStackQueuedSpinLock(ref again);
    }

    [Fact]
    public void OrdinaryWaiterOnALockNeverReleased_BugChecks0x133_AndItsIrqlIsRestored()
    {
        var spinLock = new KSPIN_LOCK();
        KeAcquireSpinLock(spinLock, out KIRQL old);
        BugCheckException? gaveUp = null;
        KIRQL irqlAfter = HIGH_LEVEL;
        Patience.OnOtherThread(() =>
        {
            using var machine = new TestMachine(ShortWatchdog);
            gaveUp = Assert.Throws<BugCheckException>(() => KeAcquireSpinLock(spinLock, out _));
            irqlAfter = KeGetCurrentIrql();
        }, "the waiter to give up");

        Assert.Equal((BugCheckNames.DPC_WATCHDOG_VIOLATION, 1UL, 7UL), (gaveUp!.BugCheckCode, gaveUp.Parameter1, gaveUp.Parameter2));
        Assert.Equal(PASSIVE_LEVEL, irqlAfter);
        Assert.True(spinLock.IsOwnedByCurrentThread);
        KeReleaseSpinLock(spinLock, old);
    }

    [Fact]
    public void LockWhoseOwnerThreadIsGone_IsReportedToTheNextWaiter()
    {
        var spinLock = new KSPIN_LOCK();
        Patience.OnOtherThread(() => KeAcquireInStackQueuedSpinLock(spinLock, out _), "the owner to take the lock and exit");

        using var machine = new TestMachine(ShortWatchdog);
        BugCheckException gaveUp = Assert.Throws<BugCheckException>(() => KeAcquireInStackQueuedSpinLock(spinLock, out _));

        Assert.Equal((BugCheckNames.DPC_WATCHDOG_VIOLATION, 1UL), (gaveUp.BugCheckCode, gaveUp.Parameter1));
        Assert.Equal(PASSIVE_LEVEL, KeGetCurrentIrql());
    }
}
