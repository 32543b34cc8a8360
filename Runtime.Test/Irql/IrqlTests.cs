using System;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ke;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime.Test.Irql;

public sealed class IrqlTests
{
    [Fact]
    public void RaiseAndLower_ChangeTheThreadIrqlAndReturnThePreviousLevel()
    {
        Assert.Equal(PASSIVE_LEVEL, KeGetCurrentIrql());
        KeRaiseIrql(DISPATCH_LEVEL, out KIRQL old);
        Assert.Equal(PASSIVE_LEVEL, old);
        Assert.Equal(DISPATCH_LEVEL, KeGetCurrentIrql());
        KeLowerIrql(old);
        Assert.Equal(PASSIVE_LEVEL, KeGetCurrentIrql());
    }

    [Fact]
    public void RaiseToLowerLevel_BugChecks0x09()
    {
        using var raised = IrqlScope.Raise(DISPATCH_LEVEL);
        BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => KeRaiseIrql(APC_LEVEL, out _));
        Assert.Equal(BugCheckNames.IRQL_NOT_GREATER_OR_EQUAL, bugCheck.BugCheckCode);
        Assert.Equal((ulong)DISPATCH_LEVEL, bugCheck.Parameter1);
        Assert.Equal((ulong)APC_LEVEL, bugCheck.Parameter2);
        Assert.Equal(DISPATCH_LEVEL, KeGetCurrentIrql());
    }

    [Fact]
    public void LowerToHigherLevel_BugChecks0x0A()
    {
        using var raised = IrqlScope.Raise(APC_LEVEL);
        BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => KeLowerIrql(DISPATCH_LEVEL));
        Assert.Equal(BugCheckNames.IRQL_NOT_LESS_OR_EQUAL, bugCheck.BugCheckCode);
        Assert.Equal((ulong)APC_LEVEL, bugCheck.Parameter1);
        Assert.Equal((ulong)DISPATCH_LEVEL, bugCheck.Parameter2);
        Assert.Equal(0UL, bugCheck.Parameter3);
        Assert.Equal(0UL, bugCheck.Parameter4);
        Assert.StartsWith("IRQL_NOT_LESS_OR_EQUAL (0x0A): KeLowerIrql", bugCheck.Message, System.StringComparison.Ordinal);
        Assert.Equal(APC_LEVEL, KeGetCurrentIrql());
    }

    [Fact]
    public void RaiseToDpcLevel_AboveDispatch_BugChecks0x09_AndKeepsTheIrql()
    {
        using var raised = IrqlScope.Raise(CLOCK_LEVEL);
        BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => KeRaiseIrqlToDpcLevel());
        Assert.Equal(BugCheckNames.IRQL_NOT_GREATER_OR_EQUAL, bugCheck.BugCheckCode);
        Assert.Equal((ulong)CLOCK_LEVEL, bugCheck.Parameter1);
        Assert.Equal((ulong)DISPATCH_LEVEL, bugCheck.Parameter2);
        Assert.Equal(CLOCK_LEVEL, KeGetCurrentIrql());
    }

    [Fact]
    public void RaiseAboveHighLevel_IsRefused_AndKeepsTheIrql()
    {
        ArgumentOutOfRangeException error = Assert.Throws<System.ArgumentOutOfRangeException>(() => KeRaiseIrql((KIRQL)16, out _));
        Assert.Contains("above HIGH_LEVEL", error.Message, System.StringComparison.Ordinal);
        Assert.Equal(PASSIVE_LEVEL, KeGetCurrentIrql());
    }

    [Fact]
    public void RaiseToTheSameLevel_IsAllowed()
    {
        using var raised = IrqlScope.Raise(APC_LEVEL);
        KeRaiseIrql(APC_LEVEL, out KIRQL old);
        Assert.Equal(APC_LEVEL, old);
        KeLowerIrql(old);
        Assert.Equal(APC_LEVEL, KeGetCurrentIrql());
    }

    [Fact]
    public void RaiseToDpcLevel_ReturnsThePreviousLevel()
    {
        KIRQL old = KeRaiseIrqlToDpcLevel();
        Assert.Equal(DISPATCH_LEVEL, KeGetCurrentIrql());
        KeLowerIrql(old);
        Assert.Equal(PASSIVE_LEVEL, old);
    }

    [Fact]
    public void Irql_IsPerThread()
    {
        using var raised = IrqlScope.Raise(DISPATCH_LEVEL);
        KIRQL seen = HIGH_LEVEL;
        var other = new System.Threading.Thread(() => seen = KeGetCurrentIrql());
        other.Start();
        other.Join();
        Assert.Equal(PASSIVE_LEVEL, seen);
    }
}
