using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ke;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime.Test.Irql;

// KeReleaseSpinLock is _IRQL_requires_(DISPATCH_LEVEL) and restores the saved IRQL. Every check runs
// before the lock is released, so a refused release leaves the lock held and the IRQL unchanged.
public sealed class SpinLockReleaseTests
{
    [Fact]
    public void ReleaseToAHigherIrqlThanDispatch_BugChecks0x0A_WithTheLockStillHeld()
    {
        var spinLock = new KSPIN_LOCK();
        KeAcquireSpinLock(spinLock, out KIRQL old);

        BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => KeReleaseSpinLock(spinLock, CLOCK_LEVEL));

        Assert.Equal(BugCheckNames.IRQL_NOT_LESS_OR_EQUAL, bugCheck.BugCheckCode);
        Assert.Equal((ulong)DISPATCH_LEVEL, bugCheck.Parameter1);
        Assert.Equal((ulong)CLOCK_LEVEL, bugCheck.Parameter2);
        Assert.True(spinLock.IsOwnedByCurrentThread);
        Assert.Equal(DISPATCH_LEVEL, KeGetCurrentIrql());
        KeReleaseSpinLock(spinLock, old);
        Assert.False(spinLock.IsHeld);
        Assert.Equal(PASSIVE_LEVEL, KeGetCurrentIrql());
    }

    [Fact]
    public void ReleaseBelowDispatch_BugChecks0x09_WithTheLockStillHeld()
    {
        var spinLock = new KSPIN_LOCK();
        KeAcquireSpinLock(spinLock, out KIRQL old);
        KeLowerIrql(APC_LEVEL);

        BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => KeReleaseSpinLock(spinLock, old));

        Assert.Equal(BugCheckNames.IRQL_NOT_GREATER_OR_EQUAL, bugCheck.BugCheckCode);
        Assert.Equal((ulong)APC_LEVEL, bugCheck.Parameter1);
        Assert.Equal((ulong)DISPATCH_LEVEL, bugCheck.Parameter2);
        Assert.Contains("KeReleaseSpinLock", bugCheck.Message, System.StringComparison.Ordinal);
        Assert.True(spinLock.IsOwnedByCurrentThread);
        Assert.Equal(APC_LEVEL, KeGetCurrentIrql());

        KeRaiseIrql(DISPATCH_LEVEL, out _);
        KeReleaseSpinLock(spinLock, old);
        Assert.False(spinLock.IsHeld);
    }

    [Fact]
    public void ReleaseAboveDispatch_BugChecks0x0A_WithTheLockStillHeld()
    {
        var spinLock = new KSPIN_LOCK();
        KeAcquireSpinLock(spinLock, out KIRQL old);
        KeRaiseIrql(CLOCK_LEVEL, out KIRQL dispatch);

        BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => KeReleaseSpinLock(spinLock, old));

        Assert.Equal(BugCheckNames.IRQL_NOT_LESS_OR_EQUAL, bugCheck.BugCheckCode);
        Assert.Equal((ulong)CLOCK_LEVEL, bugCheck.Parameter1);
        Assert.Equal((ulong)DISPATCH_LEVEL, bugCheck.Parameter2);
        Assert.True(spinLock.IsOwnedByCurrentThread);
        Assert.Equal(CLOCK_LEVEL, KeGetCurrentIrql());

        KeLowerIrql(dispatch);
        KeReleaseSpinLock(spinLock, old);
        Assert.False(spinLock.IsHeld);
        Assert.Equal(PASSIVE_LEVEL, KeGetCurrentIrql());
    }

    [Fact]
    public void ReleaseOfALockNotOwned_BugChecks0x10_AndDoesNotLowerTheIrql()
    {
        var spinLock = new KSPIN_LOCK();
        using var raised = IrqlScope.Raise(DISPATCH_LEVEL);

        BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => KeReleaseSpinLock(spinLock, PASSIVE_LEVEL));

        Assert.Equal(BugCheckNames.SPIN_LOCK_NOT_OWNED, bugCheck.BugCheckCode);
        Assert.Equal(DISPATCH_LEVEL, KeGetCurrentIrql());
        Assert.False(spinLock.IsHeld);
    }

    [Fact]
    public void ReleaseToApcLevel_RestoresApcLevel()
    {
        using var raised = IrqlScope.Raise(APC_LEVEL);
        var spinLock = new KSPIN_LOCK();
        KeAcquireSpinLock(spinLock, out KIRQL old);

        KeReleaseSpinLock(spinLock, old);

        Assert.Equal(APC_LEVEL, old);
        Assert.Equal(APC_LEVEL, KeGetCurrentIrql());
        Assert.False(spinLock.IsHeld);
    }

    [Fact]
    public void ReleaseFromDpcLevel_BelowDispatch_BugChecks0x09_WithTheLockStillHeld()
    {
        var spinLock = new KSPIN_LOCK();
        KeAcquireSpinLock(spinLock, out KIRQL old);
        KeLowerIrql(PASSIVE_LEVEL);

        BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => KeReleaseSpinLockFromDpcLevel(spinLock));

        Assert.Equal(BugCheckNames.IRQL_NOT_GREATER_OR_EQUAL, bugCheck.BugCheckCode);
        Assert.Equal((ulong)PASSIVE_LEVEL, bugCheck.Parameter1);
        Assert.Equal((ulong)DISPATCH_LEVEL, bugCheck.Parameter2);
        Assert.True(spinLock.IsOwnedByCurrentThread);

        KeRaiseIrql(DISPATCH_LEVEL, out _);
        KeReleaseSpinLock(spinLock, old);
        Assert.False(spinLock.IsHeld);
    }

    [Fact]
    public void AcquireAtDpcLevel_AndReleaseFromDpcLevel_LeaveTheIrqlAlone()
    {
        var spinLock = new KSPIN_LOCK();
        using var raised = IrqlScope.Raise(SYNCH_LEVEL);

        KeAcquireSpinLockAtDpcLevel(spinLock);
        Assert.True(spinLock.IsOwnedByCurrentThread);
        Assert.Equal(SYNCH_LEVEL, KeGetCurrentIrql());
        KeReleaseSpinLockFromDpcLevel(spinLock);

        Assert.False(spinLock.IsHeld);
        Assert.Equal(SYNCH_LEVEL, KeGetCurrentIrql());
    }
}
