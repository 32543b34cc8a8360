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
            BugCheckException atDpc = Assert.Throws<BugCheckException>(() => KeAcquireSpinLockAtDpcLevel(spinLock));
            AssertNoParameters(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, atDpc);
            BugCheckException raising = Assert.Throws<BugCheckException>(() => KeAcquireSpinLock(spinLock, out _));
            AssertNoParameters(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, raising);
            Assert.Equal(DISPATCH_LEVEL, KeGetCurrentIrql());
            Assert.True(spinLock.IsOwnedByCurrentThread);
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
        AssertNoParameters(BugCheckNames.SPIN_LOCK_NOT_OWNED, bugCheck);
        Assert.False(spinLock.IsHeld);
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
        Assert.True(spinLock.IsOwnedByCurrentThread);
        KeReleaseSpinLock(spinLock, old);
        AssertNoParameters(BugCheckNames.SPIN_LOCK_NOT_OWNED, seen!);
    }

    [Fact]
    public void AcquireAtDpcLevel_BelowDispatch_BugChecks0x09()
    {
        var spinLock = new KSPIN_LOCK();
        BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => KeAcquireSpinLockAtDpcLevel(spinLock));
        Assert.Equal(BugCheckNames.IRQL_NOT_GREATER_OR_EQUAL, bugCheck.BugCheckCode);
        Assert.Equal((ulong)PASSIVE_LEVEL, bugCheck.Parameter1);
        Assert.Equal((ulong)DISPATCH_LEVEL, bugCheck.Parameter2);
        Assert.False(spinLock.IsHeld);
    }

    [Fact]
    public void AcquireAboveDispatch_BugChecks0x09_AndLeavesIrqlUnchanged()
    {
        var spinLock = new KSPIN_LOCK();
        using var raised = IrqlScope.Raise(CLOCK_LEVEL);
        BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => KeAcquireSpinLock(spinLock, out _));
        Assert.Equal(BugCheckNames.IRQL_NOT_GREATER_OR_EQUAL, bugCheck.BugCheckCode);
        Assert.Equal((ulong)CLOCK_LEVEL, bugCheck.Parameter1);
        Assert.Equal((ulong)DISPATCH_LEVEL, bugCheck.Parameter2);
        Assert.Equal(0UL, bugCheck.Parameter3);
        Assert.Equal(0UL, bugCheck.Parameter4);
        Assert.Equal(CLOCK_LEVEL, KeGetCurrentIrql());
        Assert.False(spinLock.IsHeld);
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

    private static void AssertNoParameters(uint code, BugCheckException bugCheck)
    {
        // SPIN_LOCK_ALREADY_OWNED and SPIN_LOCK_NOT_OWNED document no parameters.
        Assert.Equal(code, bugCheck.BugCheckCode);
        Assert.Equal(0UL, bugCheck.Parameter1);
        Assert.Equal(0UL, bugCheck.Parameter2);
        Assert.Equal(0UL, bugCheck.Parameter3);
        Assert.Equal(0UL, bugCheck.Parameter4);
    }
}
