using System.Reflection;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.KIRQL;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Pool;

public sealed class PoolIrqlTests
{
    [Theory]
    [InlineData(PagedPool, PASSIVE_LEVEL)]
    [InlineData(PagedPool, APC_LEVEL)]
    [InlineData(NonPagedPoolNx, DISPATCH_LEVEL)]
    [InlineData(NonPagedPool, APC_LEVEL)]
    public void AllocateAndFree_AtAllowedIrql_Succeed(POOL_TYPE type, KIRQL irql)
    {
        using var machine = new TestMachine();
        using var raised = IrqlScope.Raise(irql);
        nint p = ExAllocatePoolWithTag(type, 64, "Irql");
        nint big = ExAllocatePoolWithTag(type, 9000, "Irql");
        ExFreePoolWithTag(p, "Irql");
        ExFreePoolWithTag(big, "Irql");
    }

    [Theory]
    [InlineData(PagedPool, DISPATCH_LEVEL, 64)]
    [InlineData(PagedPoolCacheAligned, DISPATCH_LEVEL, 64)]
    [InlineData(PagedPool, DISPATCH_LEVEL, 9000)]
    [InlineData(NonPagedPoolNx, CLOCK_LEVEL, 64)]
    [InlineData(DontUseThisType, DISPATCH_LEVEL, 64)]
    [InlineData(NonPagedPoolMustSucceed, CLOCK_LEVEL, 64)]
    public void Allocate_AboveAllowedIrql_BugChecks0x08(POOL_TYPE type, KIRQL irql, int size)
    {
        using var machine = new TestMachine();
        using var raised = IrqlScope.Raise(irql);
        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x08, () => ExAllocatePoolWithTag(type, (nuint)size, "Irql"));
        Assert.Equal((ulong)irql, bugCheck.Parameter2);
        Assert.Equal((ulong)type, bugCheck.Parameter3);
        Assert.Equal((ulong)size, bugCheck.Parameter4);
    }

    [Theory]
    [InlineData(PagedPool, DISPATCH_LEVEL, 64)]
    [InlineData(PagedPool, DISPATCH_LEVEL, 9000)]
    [InlineData(NonPagedPoolNx, SYNCH_LEVEL, 64)]
    public void Free_AboveAllowedIrql_BugChecks0x09(POOL_TYPE type, KIRQL irql, int size)
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePoolWithTag(type, (nuint)size, "Irql");
        using (IrqlScope.Raise(irql))
        {
            BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x09, () => ExFreePool(p));
            Assert.Equal((ulong)irql, bugCheck.Parameter2);
            Assert.Equal((ulong)type, bugCheck.Parameter3);
            Assert.Equal((ulong)p, bugCheck.Parameter4);
        }

        ExFreePool(p);
    }

    [Theory]
    [InlineData(nameof(ExAllocatePool))]
    [InlineData(nameof(ExAllocatePoolWithQuota))]
    [InlineData(nameof(ExAllocatePoolWithTag))]
    [InlineData(nameof(ExAllocatePoolWithQuotaTag))]
    [InlineData(nameof(ExFreePool))]
    [InlineData(nameof(ExFreePoolWithTag))]
    public void PoolRoutine_DeclaresDispatchAsItsCeiling(string routine)
    {
        MethodInfo method = typeof(Ex).GetMethod(routine)!;
        object attribute = Assert.Single(method.GetCustomAttributes(typeof(IrqlRequiresMaxAttribute), false));
        Assert.Equal(DISPATCH_LEVEL, ((IrqlRequiresMaxAttribute)attribute).Irql);
    }
}
