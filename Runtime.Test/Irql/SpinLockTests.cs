using System.Threading;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ke;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime.Test.Irql;

public sealed class SpinLockTests
{
    [Fact]
    public void Acquire_RaisesToDispatch_AndReleaseRestoresTheOldIrql()
    {
        var spinLock = new KSPIN_LOCK();
        KeInitializeSpinLock(spinLock);
        KeAcquireSpinLock(spinLock, out KIRQL old);
        Assert.Equal(DISPATCH_LEVEL, KeGetCurrentIrql());
        Assert.True(spinLock.IsOwnedByCurrentThread);
        KeReleaseSpinLock(spinLock, old);
        Assert.Equal(PASSIVE_LEVEL, KeGetCurrentIrql());
        Assert.False(spinLock.IsHeld);
    }

    [Fact]
    public void RecursiveAcquire_BugChecks0x0F_AndKeepsTheIrql()
    {
        var spinLock = new KSPIN_LOCK();
        KeAcquireSpinLock(spinLock, out KIRQL old);
        try
        {
            BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => KeAcquireSpinLockAtDpcLevel(spinLock));
            Assert.Equal(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, bugCheck.BugCheckCode);
            Assert.Throws<BugCheckException>(() => KeAcquireSpinLock(spinLock, out _));
            Assert.Equal(DISPATCH_LEVEL, KeGetCurrentIrql());
        }
        finally
        {
            KeReleaseSpinLock(spinLock, old);
        }
    }

    [Fact]
    public void ReleaseOfLockNotOwned_BugChecks0x10()
    {
        var spinLock = new KSPIN_LOCK();
        using var raised = IrqlScope.Raise(DISPATCH_LEVEL);
        BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => KeReleaseSpinLockFromDpcLevel(spinLock));
        Assert.Equal(BugCheckNames.SPIN_LOCK_NOT_OWNED, bugCheck.BugCheckCode);
    }

    [Fact]
    public void ReleaseByAnotherThread_BugChecks0x10()
    {
        var spinLock = new KSPIN_LOCK();
        KeAcquireSpinLock(spinLock, out KIRQL old);
        BugCheckException? seen = null;
        var other = new Thread(() =>
        {
            using var raised = IrqlScope.Raise(DISPATCH_LEVEL);
            seen = Assert.Throws<BugCheckException>(() => KeReleaseSpinLockFromDpcLevel(spinLock));
        });
        other.Start();
        other.Join();
        KeReleaseSpinLock(spinLock, old);
        Assert.Equal(BugCheckNames.SPIN_LOCK_NOT_OWNED, seen!.BugCheckCode);
    }

    [Fact]
    public void AcquireAtDpcLevel_BelowDispatch_BugChecks0x09()
    {
        var spinLock = new KSPIN_LOCK();
        BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => KeAcquireSpinLockAtDpcLevel(spinLock));
        Assert.Equal(BugCheckNames.IRQL_NOT_GREATER_OR_EQUAL, bugCheck.BugCheckCode);
        Assert.False(spinLock.IsHeld);
    }

    [Fact]
    public void AcquireAboveDispatch_BugChecks0x09_AndLeavesIrqlUnchanged()
    {
        var spinLock = new KSPIN_LOCK();
        using var raised = IrqlScope.Raise(CLOCK_LEVEL);
        Assert.Throws<BugCheckException>(() => KeAcquireSpinLock(spinLock, out _));
        Assert.Equal(CLOCK_LEVEL, KeGetCurrentIrql());
    }

    [Fact]
    public void Lock_ExcludesOtherThreads()
    {
        var spinLock = new KSPIN_LOCK();
        int counter = 0;
        var threads = new Thread[2];
        for (int t = 0; t < threads.Length; t++)
        {
            threads[t] = new Thread(() =>
            {
                for (int i = 0; i < 50_000; i++)
                {
                    KeAcquireSpinLock(spinLock, out KIRQL old);
                    counter++;
                    KeReleaseSpinLock(spinLock, old);
                }
            });
            threads[t].Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        Assert.Equal(100_000, counter);
    }
}
