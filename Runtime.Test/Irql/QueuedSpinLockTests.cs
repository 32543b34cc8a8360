using System;
using System.Collections.Concurrent;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ke;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime.Test.Irql;

public sealed class QueuedSpinLockTests
{
    [Theory]
    [InlineData(PASSIVE_LEVEL)]
    [InlineData(APC_LEVEL)]
    [InlineData(DISPATCH_LEVEL)]
    public void Acquire_RaisesToDispatch_SavesTheOldIrqlInTheHandle_AndReleaseRestoresIt(KIRQL start)
    {
        var spinLock = new KSPIN_LOCK();
        using var raised = IrqlScope.Raise(start);

        KeAcquireInStackQueuedSpinLock(spinLock, out KLOCK_QUEUE_HANDLE handle);

        Assert.Equal(DISPATCH_LEVEL, KeGetCurrentIrql());
        Assert.Equal(start, handle.OldIrql);
        Assert.True(spinLock.IsHeld);
        Assert.True(spinLock.IsOwnedByCurrentThread);

        KeReleaseInStackQueuedSpinLock(ref handle);

        Assert.Equal(start, KeGetCurrentIrql());
        Assert.False(spinLock.IsHeld);
        Assert.False(spinLock.IsOwnedByCurrentThread);
    }

    [Fact]
    public void AcquireAboveDispatch_BugChecks0x09_AndChangesNothing()
    {
        var spinLock = new KSPIN_LOCK();
        using var raised = IrqlScope.Raise(HIGH_LEVEL);

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.IRQL_NOT_GREATER_OR_EQUAL, (ulong)HIGH_LEVEL,
            () => KeAcquireInStackQueuedSpinLock(spinLock, out _));

        Assert.Equal((ulong)DISPATCH_LEVEL, bugCheck.Parameter2);
        Assert.Equal(HIGH_LEVEL, KeGetCurrentIrql());
        Assert.False(spinLock.IsHeld);
    }

    [Fact]
    public void AtDpcLevelForms_LeaveTheIrqlAlone_AndRecordItInTheHandle()
    {
        var spinLock = new KSPIN_LOCK();
        foreach (KIRQL irql in new[] { DISPATCH_LEVEL, HIGH_LEVEL })
        {
            using var raised = IrqlScope.Raise(irql);
            KeAcquireInStackQueuedSpinLockAtDpcLevel(spinLock, out KLOCK_QUEUE_HANDLE handle);
            Assert.Equal(irql, KeGetCurrentIrql());
            Assert.Equal(irql, handle.OldIrql);
            Assert.True(spinLock.IsOwnedByCurrentThread);
            KeReleaseInStackQueuedSpinLockFromDpcLevel(ref handle);
            Assert.Equal(irql, KeGetCurrentIrql());
            Assert.False(spinLock.IsHeld);
        }
    }

    [Fact]
    public void AtDpcLevelForms_BelowDispatch_BugCheck0x09_AndTheLockStaysAsItWas()
    {
        var spinLock = new KSPIN_LOCK();
        BugCheckException acquire = BugCheckAssert.Raises(BugCheckNames.IRQL_NOT_GREATER_OR_EQUAL, (ulong)PASSIVE_LEVEL,
            () => KeAcquireInStackQueuedSpinLockAtDpcLevel(spinLock, out _));
        Assert.Equal((ulong)DISPATCH_LEVEL, acquire.Parameter2);
        Assert.False(spinLock.IsHeld);

        KeAcquireInStackQueuedSpinLock(spinLock, out KLOCK_QUEUE_HANDLE handle);
        KeLowerIrql(APC_LEVEL);
        BugCheckAssert.Raises(BugCheckNames.IRQL_NOT_GREATER_OR_EQUAL, (ulong)APC_LEVEL, () => KeReleaseInStackQueuedSpinLockFromDpcLevel(ref handle));
        Assert.True(spinLock.IsOwnedByCurrentThread);
        KeRaiseIrql(DISPATCH_LEVEL, out _);
        KeReleaseInStackQueuedSpinLock(ref handle);
        Assert.Equal(PASSIVE_LEVEL, KeGetCurrentIrql());
    }

    [Theory]
    [InlineData(PASSIVE_LEVEL, BugCheckNames.IRQL_NOT_GREATER_OR_EQUAL)]
    [InlineData(HIGH_LEVEL, BugCheckNames.IRQL_NOT_LESS_OR_EQUAL)]
    public void ReleaseAwayFromDispatch_BugChecks_AndTheLockStaysHeld(KIRQL at, uint code)
    {
        var spinLock = new KSPIN_LOCK();
        KeAcquireInStackQueuedSpinLock(spinLock, out KLOCK_QUEUE_HANDLE handle);
        if (at > DISPATCH_LEVEL)
        {
            KeRaiseIrql(at, out _);
        }
        else
        {
            KeLowerIrql(at);
        }

        BugCheckException bugCheck = BugCheckAssert.Raises(code, (ulong)at, () => KeReleaseInStackQueuedSpinLock(ref handle));

        Assert.Equal((ulong)DISPATCH_LEVEL, bugCheck.Parameter2);
        Assert.Equal(at, KeGetCurrentIrql());
        Assert.True(spinLock.IsOwnedByCurrentThread);
        KeLowerIrql(PASSIVE_LEVEL);
        KeRaiseIrql(DISPATCH_LEVEL, out _);
        KeReleaseInStackQueuedSpinLock(ref handle);
        Assert.False(spinLock.IsHeld);
    }

    [Fact]
    public void RaisingReleaseOfAHandleFromAboveDispatch_BugChecks0x0A_AndTheLockStaysHeld()
    {
        // Taken at HIGH_LEVEL with the …AtDpcLevel form, which records HIGH_LEVEL as the handle's
        // OldIrql: the raising release at DISPATCH_LEVEL would have to "lower" to HIGH_LEVEL.
        var spinLock = new KSPIN_LOCK();
        KeRaiseIrql(HIGH_LEVEL, out KIRQL start);
        KeAcquireInStackQueuedSpinLockAtDpcLevel(spinLock, out KLOCK_QUEUE_HANDLE handle);
        KeLowerIrql(DISPATCH_LEVEL);

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.IRQL_NOT_LESS_OR_EQUAL, (ulong)DISPATCH_LEVEL, () => KeReleaseInStackQueuedSpinLock(ref handle));

        Assert.Equal((ulong)HIGH_LEVEL, bugCheck.Parameter2);
        Assert.True(spinLock.IsOwnedByCurrentThread);
        KeReleaseInStackQueuedSpinLockFromDpcLevel(ref handle);
        KeLowerIrql(start);
        Assert.False(spinLock.IsHeld);
    }

    [Fact]
    public void RecursiveAcquisition_BugChecks0x0F_AndTheFirstAcquisitionStands()
    {
        var spinLock = new KSPIN_LOCK();
        var other = new KSPIN_LOCK();
        KeAcquireInStackQueuedSpinLock(other, out KLOCK_QUEUE_HANDLE otherHandle);
        KeAcquireInStackQueuedSpinLock(spinLock, out KLOCK_QUEUE_HANDLE handle);

        BugCheckAssert.Raises(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, 0, () => KeAcquireInStackQueuedSpinLock(spinLock, out _));
        BugCheckAssert.Raises(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, 0, () => KeAcquireInStackQueuedSpinLockAtDpcLevel(spinLock, out _));
        BugCheckAssert.Raises(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, 0, () => KeAcquireSpinLockAtDpcLevel(spinLock));

        // With the first lock released out of order, the recursion check must still find the second.
        KeReleaseInStackQueuedSpinLockFromDpcLevel(ref otherHandle);
        BugCheckAssert.Raises(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, 0, () => KeAcquireInStackQueuedSpinLockAtDpcLevel(spinLock, out _));

        Assert.Equal(DISPATCH_LEVEL, KeGetCurrentIrql());
        Assert.True(spinLock.IsOwnedByCurrentThread);
        KeReleaseInStackQueuedSpinLock(ref handle);
        Assert.Equal(DISPATCH_LEVEL, KeGetCurrentIrql());
        KeLowerIrql(PASSIVE_LEVEL);
        Assert.False(spinLock.IsHeld);
        Assert.False(other.IsHeld);
    }

    [Fact]
    public void QueuedAcquisitionOfALockHeldOrdinarilyByThisThread_BugChecks0x0F_WithParameter0()
    {
        var spinLock = new KSPIN_LOCK();
        KeAcquireSpinLock(spinLock, out KIRQL old);

        BugCheckAssert.Raises(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, 0, () => KeAcquireInStackQueuedSpinLockAtDpcLevel(spinLock, out _));

        Assert.True(spinLock.IsOwnedByCurrentThread);
        KeReleaseSpinLock(spinLock, old);
        Assert.False(spinLock.IsHeld);
    }

    [Fact]
    public void MixingTheTwoFormsAcrossThreads_BugChecks0x0F_WithTheFormInParameter1()
    {
        var queuedHeld = new KSPIN_LOCK();
        var ordinaryHeld = new KSPIN_LOCK();
        KeAcquireInStackQueuedSpinLock(queuedHeld, out KLOCK_QUEUE_HANDLE handle);
        KeAcquireSpinLockAtDpcLevel(ordinaryHeld);

        BugCheckException? ordinaryOnQueued = null;
        BugCheckException? queuedOnOrdinary = null;
        KIRQL after = HIGH_LEVEL;
        Patience.OnOtherThread(() =>
        {
            ordinaryOnQueued = Assert.Throws<BugCheckException>(() => KeAcquireSpinLock(queuedHeld, out _));
            queuedOnOrdinary = Assert.Throws<BugCheckException>(() => KeAcquireInStackQueuedSpinLock(ordinaryHeld, out _));
            after = KeGetCurrentIrql();
        }, "the other thread's acquisitions");

        Assert.Equal((BugCheckNames.SPIN_LOCK_ALREADY_OWNED, 1UL), (ordinaryOnQueued!.BugCheckCode, ordinaryOnQueued.Parameter1));
        Assert.Equal((BugCheckNames.SPIN_LOCK_ALREADY_OWNED, 2UL), (queuedOnOrdinary!.BugCheckCode, queuedOnOrdinary.Parameter1));
        Assert.Equal(PASSIVE_LEVEL, after);
        KeReleaseSpinLockFromDpcLevel(ordinaryHeld);
        KeReleaseInStackQueuedSpinLock(ref handle);
        Assert.False(queuedHeld.IsHeld);
        Assert.False(ordinaryHeld.IsHeld);
    }

    [Fact]
    public void ReleasingAHandleThatHoldsNothing_BugChecks0x10()
    {
        var spinLock = new KSPIN_LOCK();
        using var raised = IrqlScope.Raise(DISPATCH_LEVEL);
        KLOCK_QUEUE_HANDLE never = default;

        BugCheckAssert.Raises(BugCheckNames.SPIN_LOCK_NOT_OWNED, 0, () => KeReleaseInStackQueuedSpinLock(ref never));
        BugCheckAssert.Raises(BugCheckNames.SPIN_LOCK_NOT_OWNED, 0, () => KeReleaseInStackQueuedSpinLockFromDpcLevel(ref never));

        KeAcquireInStackQueuedSpinLockAtDpcLevel(spinLock, out KLOCK_QUEUE_HANDLE handle);
        KeReleaseInStackQueuedSpinLockFromDpcLevel(ref handle);
        BugCheckAssert.Raises(BugCheckNames.SPIN_LOCK_NOT_OWNED, 0, () => KeReleaseInStackQueuedSpinLockFromDpcLevel(ref handle));
        Assert.Equal(DISPATCH_LEVEL, KeGetCurrentIrql());
    }

    [Fact]
    public void ReleasingAStaleCopyOfAHandle_BugChecks0x10_EvenWhenItsEntryHoldsTheLockAgain()
    {
        var spinLock = new KSPIN_LOCK();
        using var raised = IrqlScope.Raise(DISPATCH_LEVEL);
        KeAcquireInStackQueuedSpinLockAtDpcLevel(spinLock, out KLOCK_QUEUE_HANDLE first);
        KLOCK_QUEUE_HANDLE copy = first;
        KeReleaseInStackQueuedSpinLockFromDpcLevel(ref first);
        KeAcquireInStackQueuedSpinLockAtDpcLevel(spinLock, out KLOCK_QUEUE_HANDLE second);

        BugCheckAssert.Raises(BugCheckNames.SPIN_LOCK_NOT_OWNED, 0, () => KeReleaseInStackQueuedSpinLockFromDpcLevel(ref copy));

        Assert.True(spinLock.IsOwnedByCurrentThread);
        KeReleaseInStackQueuedSpinLockFromDpcLevel(ref second);
        Assert.False(spinLock.IsHeld);
    }

    [Fact]
    public void ReleasingAnotherThreadsAcquisition_BugChecks0x10_AndTheLockStaysHeld()
    {
        var spinLock = new KSPIN_LOCK();
        KeAcquireInStackQueuedSpinLock(spinLock, out KLOCK_QUEUE_HANDLE handle);
        KLOCK_QUEUE_HANDLE copy = handle;
        BugCheckException? seen = null;
        Patience.OnOtherThread(() =>
        {
            using var raised = IrqlScope.Raise(DISPATCH_LEVEL);
            seen = Assert.Throws<BugCheckException>(() => KeReleaseInStackQueuedSpinLock(ref copy));
        }, "the foreign release");

        Assert.Equal(BugCheckNames.SPIN_LOCK_NOT_OWNED, seen!.BugCheckCode);
        Assert.True(spinLock.IsOwnedByCurrentThread);
        KeReleaseInStackQueuedSpinLock(ref handle);
        Assert.False(spinLock.IsHeld);
    }

    [Fact]
    public void OrdinaryReleaseOfAQueuedAcquisition_BugChecks0x10_AndTheLockStaysHeld()
    {
        var spinLock = new KSPIN_LOCK();
        KeAcquireInStackQueuedSpinLock(spinLock, out KLOCK_QUEUE_HANDLE handle);

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.SPIN_LOCK_NOT_OWNED, 0, () => KeReleaseSpinLockFromDpcLevel(spinLock));

        Assert.Contains("KeReleaseInStackQueuedSpinLock", bugCheck.Message, StringComparison.Ordinal);
        Assert.True(spinLock.IsOwnedByCurrentThread);
        KeReleaseInStackQueuedSpinLock(ref handle);
    }

    [Fact]
    public void NullLock_ThrowsArgumentNullException()
    {
        Assert.Equal("SpinLock", Assert.Throws<ArgumentNullException>(() => KeAcquireInStackQueuedSpinLock(null!, out _)).ParamName);
        using var raised = IrqlScope.Raise(DISPATCH_LEVEL);
        Assert.Equal("SpinLock", Assert.Throws<ArgumentNullException>(() => KeAcquireInStackQueuedSpinLockAtDpcLevel(null!, out _)).ParamName);
    }

    [Fact]
    public void Waiters_GetTheLockInTheOrderTheyQueued()
    {
        const int waiters = 6;
        var spinLock = new KSPIN_LOCK();
        var order = new ConcurrentQueue<int>();
        KeAcquireInStackQueuedSpinLock(spinLock, out KLOCK_QUEUE_HANDLE holder);
        var threads = new Patience.OtherThread[waiters];
        for (int i = 0; i < waiters; i++)
        {
            int index = i;
            long tailBefore = spinLock.LockWord;
            threads[i] = Patience.Start(() =>
            {
                KeAcquireInStackQueuedSpinLock(spinLock, out KLOCK_QUEUE_HANDLE handle);
                order.Enqueue(index);
                KeReleaseInStackQueuedSpinLock(ref handle);
            });

            // The waiter has queued once it has taken a ticket (the word's next ticket moved on).
            Patience.Until(() => spinLock.LockWord != tailBefore, $"waiter {index} to queue");
        }

        KeReleaseInStackQueuedSpinLock(ref holder);
        foreach (Patience.OtherThread thread in threads)
        {
            thread.Join("the waiters");
        }

        Assert.Equal([0, 1, 2, 3, 4, 5], order);
        Assert.False(spinLock.IsHeld);
    }

    [Fact]
    public void QueuedLock_ExcludesEveryOtherHolder()
    {
        var spinLock = new KSPIN_LOCK();
        long counter = 0;
        const int perThread = 5_000;
        var threads = new Patience.OtherThread[4];
        for (int i = 0; i < threads.Length; i++)
        {
            bool atDpc = i % 2 == 0;
            threads[i] = Patience.Start(() =>
            {
                for (int n = 0; n < perThread; n++)
                {
                    if (atDpc)
                    {
                        using var raised = IrqlScope.Raise(DISPATCH_LEVEL);
                        KeAcquireInStackQueuedSpinLockAtDpcLevel(spinLock, out KLOCK_QUEUE_HANDLE handle);
                        counter++;
                        KeReleaseInStackQueuedSpinLockFromDpcLevel(ref handle);
                    }
                    else
                    {
                        KeAcquireInStackQueuedSpinLock(spinLock, out KLOCK_QUEUE_HANDLE handle);
                        counter++;
                        KeReleaseInStackQueuedSpinLock(ref handle);
                    }
                }
            });
        }

        foreach (Patience.OtherThread thread in threads)
        {
            thread.Join("the contending threads");
        }

        Assert.Equal(threads.Length * perThread, counter);
        Assert.False(spinLock.IsHeld);
    }

    [Fact]
    public void ManyQueuedLocksAtOnce_AreHeldAndReleasedInAnyOrder()
    {
        var locks = new KSPIN_LOCK[5];
        var handles = new KLOCK_QUEUE_HANDLE[5];
        using var raised = IrqlScope.Raise(DISPATCH_LEVEL);
        for (int i = 0; i < locks.Length; i++)
        {
            locks[i] = new KSPIN_LOCK();
            KeAcquireInStackQueuedSpinLockAtDpcLevel(locks[i], out handles[i]);
        }

        foreach (int i in new[] { 2, 0, 4, 1, 3 })
        {
            KeReleaseInStackQueuedSpinLockFromDpcLevel(ref handles[i]);
            Assert.False(locks[i].IsHeld);
        }

        Assert.All(locks, spinLock => Assert.False(spinLock.IsHeld));
    }
}
