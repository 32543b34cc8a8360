using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.KIRQL;
using static PoolAnalyzers.Runtime.POOL_FLAGS;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Pool;

// ExAllocatePool2/3 keep the older routines' IRQL rules and verifier checks; P3 is the POOL_TYPE the
// flags translate to.
public sealed class ExAllocatePool2IrqlTests
{
    [Theory]
    [InlineData(POOL_FLAG_PAGED, APC_LEVEL)]
    [InlineData(POOL_FLAG_NON_PAGED, DISPATCH_LEVEL)]
    [InlineData(POOL_FLAG_NON_PAGED_EXECUTE, DISPATCH_LEVEL)]
    public void AllocateAndFree_AtAllowedIrql_Succeed(POOL_FLAGS pool, KIRQL irql)
    {
        using var machine = new TestMachine();
        using var raised = IrqlScope.Raise(irql);
        nint small = ExAllocatePool2(pool, 64, "Irql");
        nint big = ExAllocatePool3(pool, 9000, "Irql", null, 0);
        ExFreePool2(small, "Irql", null, 0);
        ExFreePool2(big, "Irql", null, 0);
    }

    [Theory]
    [InlineData(POOL_FLAG_PAGED, DISPATCH_LEVEL, 64, PagedPool)]
    [InlineData(POOL_FLAG_PAGED | POOL_FLAG_CACHE_ALIGNED, DISPATCH_LEVEL, 64, PagedPoolCacheAligned)]
    [InlineData(POOL_FLAG_PAGED | POOL_FLAG_SESSION, DISPATCH_LEVEL, 9000, PagedPoolSession)]
    [InlineData(POOL_FLAG_NON_PAGED, CLOCK_LEVEL, 64, NonPagedPoolNx)]
    [InlineData(POOL_FLAG_NON_PAGED_EXECUTE, HIGH_LEVEL, 64, NonPagedPool)]
    public void Allocate_AboveAllowedIrql_BugChecks0xC2_0x08(POOL_FLAGS flags, KIRQL irql, int size, POOL_TYPE type)
    {
        using var machine = new TestMachine();
        using var raised = IrqlScope.Raise(irql);

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x08, () => ExAllocatePool2(flags | POOL_FLAG_RAISE_ON_FAILURE, (nuint)size, "Irql"));

        Assert.Equal((ulong)irql, bugCheck.Parameter2);
        Assert.Equal((ulong)type, bugCheck.Parameter3);
        Assert.Equal((ulong)size, bugCheck.Parameter4);
        Assert.Empty(machine.System.QueryPoolTags());
    }

    [Fact]
    public void BadIrql_IsCheckedBeforeTheTag()
    {
        using var machine = new TestMachine();
        using var raised = IrqlScope.Raise(DISPATCH_LEVEL);

        BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x08, () => ExAllocatePool2(POOL_FLAG_PAGED, 64, default));
    }

    [Theory]
    [InlineData(POOL_FLAG_PAGED, DISPATCH_LEVEL, 0x01)]
    [InlineData(POOL_FLAG_NON_PAGED, CLOCK_LEVEL, 0x02)]
    public void Allocate_AboveAllowedIrql_UnderTheVerifier_BugChecks0xC4(POOL_FLAGS flags, KIRQL irql, ulong subcode)
    {
        using var machine = TestMachine.WithVerifier(new VerifierOptions { PoolTracking = true });
        using var raised = IrqlScope.Raise(irql);

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, subcode, () => ExAllocatePool2(flags, 64, "Irql"));

        Assert.Equal((ulong)irql, bugCheck.Parameter2);
        Assert.Equal(64UL, bugCheck.Parameter4);
    }

    [Fact]
    public void ZeroByteRequest_UnderTheVerifier_BugChecks0xC4_0x00()
    {
        using var machine = TestMachine.WithVerifier(new VerifierOptions { FlagZeroSizeRequests = true });

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, 0x00, () => ExAllocatePool2(POOL_FLAG_PAGED, 0, "Zero"));

        Assert.Equal((ulong)PASSIVE_LEVEL, bugCheck.Parameter2);
        Assert.Equal((ulong)PagedPool, bugCheck.Parameter3);
        BugCheckAssert.Raises(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, 0x00, () => ExAllocatePool3(POOL_FLAG_NON_PAGED, 0, "Zero", null, 0));
    }

    [Fact]
    public void Free_AboveAllowedIrql_BugChecks0xC2_0x09()
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePool2(POOL_FLAG_PAGED, 64, "Irql");
        using (IrqlScope.Raise(DISPATCH_LEVEL))
        {
            BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x09, () => ExFreePool2(p, "Irql", null, 0));
            Assert.Equal((ulong)p, bugCheck.Parameter4);
        }

        ExFreePool2(p, "Irql", null, 0);
    }

    [Fact]
    public void LowResourcesSimulation_FailsModernRequests_WithTheirOwnFailureMode()
    {
        using var machine = TestMachine.WithVerifier(new VerifierOptions { LowResourcesFailureRate = 1.0 });

        Assert.Equal(0, ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "LowR"));
        NtStatusException raised = Assert.Throws<NtStatusException>(() => ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_RAISE_ON_FAILURE, 64, "LowR"));
        Assert.Equal(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, raised.Status);
    }

    [Fact]
    public void PoolTracking_RecordsModernAllocations_ForTheUnloadLeakCheck()
    {
        using var machine = TestMachine.WithVerifier(new VerifierOptions { PoolTracking = true });
        nint leaked = ExAllocatePool2(POOL_FLAG_NON_PAGED, 24, "Leak");

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, 0x62, () => machine.System.Verifier.VerifyDriverUnload("leaky.sys", "Leak"));

        Assert.Equal(1UL, bugCheck.Parameter4);
        ExFreePool(leaked);
        machine.System.Verifier.VerifyDriverUnload("leaky.sys", "Leak");
    }
}
