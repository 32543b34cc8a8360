using System;
using System.Threading.Tasks;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Pool;

public sealed class NxOptInTests
{
    [Fact]
    public void DefaultNonPagedPoolType_IsNonPagedPool_UntilTheDriverOptsIn()
    {
        using var machine = new TestMachine();
        Assert.Equal(NonPagedPool, ExDefaultNonPagedPoolType);

        ExInitializeDriverRuntime(DrvRtPoolNxOptIn);

        Assert.Equal(NonPagedPoolNx, ExDefaultNonPagedPoolType);
        ExInitializeDriverRuntime(0);
        Assert.Equal(NonPagedPoolNx, ExDefaultNonPagedPoolType);
    }

    [Fact]
    public async Task OptIn_BelongsToTheMachine_AndIsSeenOnEveryThreadOfIt()
    {
        using var other = new KernelSystem();
        using var machine = new TestMachine();
        ExInitializeDriverRuntime(DrvRtPoolNxOptIn);

        Assert.Equal(NonPagedPoolNx, await Task.Run(() => ExDefaultNonPagedPoolType));
        using (other.Enter())
        {
            Assert.Equal(NonPagedPool, ExDefaultNonPagedPoolType);
        }
    }

    [Fact]
    public void AllocationWithTheDefaultType_IsNoExecuteAfterOptIn()
    {
        using var machine = TestMachine.WithVerifier(new VerifierOptions { PoolTracking = true });
        ExInitializeDriverRuntime(DrvRtPoolNxOptIn);
        nint p = ExAllocatePoolWithTag(ExDefaultNonPagedPoolType, 64, "NxOp");

        Assert.Equal(NonPagedPoolNx, Assert.Single(machine.System.Verifier.GetOutstandingAllocations("NxOp")).PoolType);
        ExFreePool(p);
    }

    [Fact]
    public void DrvRtPoolNxOptIn_IsOne()
    {
        Assert.Equal(1u, DrvRtPoolNxOptIn);
    }

    [Theory]
    [InlineData(KIRQL.APC_LEVEL)]
    [InlineData(KIRQL.DISPATCH_LEVEL)]
    public void ExInitializeDriverRuntime_AbovePassive_BugChecks0x0A(KIRQL irql)
    {
        using var machine = new TestMachine();
        using (IrqlScope.Raise(irql))
        {
            BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => ExInitializeDriverRuntime(DrvRtPoolNxOptIn));
            Assert.Equal(BugCheckNames.IRQL_NOT_LESS_OR_EQUAL, bugCheck.BugCheckCode);
            Assert.Equal((ulong)irql, bugCheck.Parameter2);
        }

        Assert.Equal(NonPagedPool, ExDefaultNonPagedPoolType);
    }

    [Theory]
    [InlineData(2u)]
    [InlineData(3u)]
    [InlineData(0x80000000u)]
    public void UndefinedRuntimeFlags_AreRefused_AndChangeNothing(uint flags)
    {
        using var machine = new TestMachine();

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => ExInitializeDriverRuntime(flags));

        Assert.Equal("RuntimeFlags", error.ParamName);
        Assert.Equal(NonPagedPool, ExDefaultNonPagedPoolType);
    }
}
