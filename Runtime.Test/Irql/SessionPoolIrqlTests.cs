using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.KIRQL;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Irql;

// The session pool types decode like the others: bit 0 set (33, 35, 37) means paged pool, usable at
// APC_LEVEL or below only.
public sealed class SessionPoolIrqlTests
{
    [Theory]
    [InlineData(PagedPoolSession, 64)]
    [InlineData(PagedPoolSession, 9000)]
    [InlineData(PagedPoolCacheAlignedSession, 64)]
    [InlineData(PagedPoolCacheAlignedSession, 9000)]
    public void PagedSessionType_AtDispatchLevel_BugChecks0xC2_0x08(POOL_TYPE type, int size)
    {
        using var machine = new TestMachine();
        using var raised = IrqlScope.Raise(DISPATCH_LEVEL);

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x08, () => ExAllocatePoolWithTag(type, (nuint)size, "Sess"));

        Assert.Equal((ulong)DISPATCH_LEVEL, bugCheck.Parameter2);
        Assert.Equal((ulong)type, bugCheck.Parameter3);
        Assert.Equal((ulong)size, bugCheck.Parameter4);
        Assert.Equal(0, machine.System.QueryPoolTag("Sess", paged: true).Allocs);
    }

    [Theory]
    [InlineData(PagedPoolSession)]
    [InlineData(PagedPoolCacheAlignedSession)]
    public void PagedSessionType_AtApcLevel_IsAccountedAsPaged(POOL_TYPE type)
    {
        using var machine = new TestMachine();
        using var raised = IrqlScope.Raise(APC_LEVEL);

        nint block = ExAllocatePoolWithTag(type, 64, "Sess");

        Assert.NotEqual(0, block);
        Assert.Equal(1, machine.System.QueryPoolTag("Sess", paged: true).Diff);
        Assert.Equal(0, machine.System.QueryPoolTag("Sess", paged: false).Allocs);
        ExFreePoolWithTag(block, "Sess");
    }

    [Fact]
    public void NonPagedSessionType_AtDispatchLevel_IsAccountedAsNonPaged()
    {
        using var machine = new TestMachine();
        using var raised = IrqlScope.Raise(DISPATCH_LEVEL);

        nint block = ExAllocatePoolWithTag(NonPagedPoolSession, 64, "Sess");

        Assert.Equal(1, machine.System.QueryPoolTag("Sess", paged: false).Diff);
        ExFreePoolWithTag(block, "Sess");
    }

    [Fact]
    public void DontUseThisTypeSession_IsPagedAndMustSucceed_SoItIsRefusedWith0x9A()
    {
        // 35 = 32 | 2 | 1: the must-succeed bit makes every request a bug check, whatever the IRQL.
        using var machine = new TestMachine();

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x9A, () => ExAllocatePoolWithTag(DontUseThisTypeSession, 64, "Sess"));

        Assert.Equal((ulong)DontUseThisTypeSession, bugCheck.Parameter2);
        Assert.Equal(64UL, bugCheck.Parameter3);
        Assert.Equal(((PoolTag)"Sess").Value, bugCheck.Parameter4);
    }
}
