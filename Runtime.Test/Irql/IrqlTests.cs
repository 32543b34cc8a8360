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
