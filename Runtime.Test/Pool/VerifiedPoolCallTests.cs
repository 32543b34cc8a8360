using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.KIRQL;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Pool;

/// <summary>
/// With any verifier switch on, the machine runs verified: IRQL and free violations come from the
/// verifier as DRIVER_VERIFIER_DETECTED_VIOLATION (0xC4) subcodes with its parameters, not as the
/// kernel's BAD_POOL_CALLER.
/// </summary>
public sealed class VerifiedPoolCallTests
{
    private static TestMachine Verified() => TestMachine.WithVerifier(new VerifierOptions { PoolTracking = true });

    [Theory]
    [InlineData(PagedPool, DISPATCH_LEVEL, 64, 0x01)]
    [InlineData(PagedPool, DISPATCH_LEVEL, 9000, 0x01)]
    [InlineData(NonPagedPoolNx, CLOCK_LEVEL, 64, 0x02)]
    [InlineData(NonPagedPoolNxCacheAligned, HIGH_LEVEL, 9000, 0x02)]
    public void Allocate_AboveAllowedIrql_IsVerifierViolation(POOL_TYPE type, KIRQL irql, int size, uint subcode)
    {
        using TestMachine machine = Verified();
        using var raised = IrqlScope.Raise(irql);
        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, subcode, () => ExAllocatePoolWithTag(type, (nuint)size, "Vrfy"));
        Assert.Equal((ulong)irql, bugCheck.Parameter2);
        Assert.Equal((ulong)type, bugCheck.Parameter3);
        Assert.Equal((ulong)size, bugCheck.Parameter4);
    }

    [Theory]
    [InlineData(PagedPool, DISPATCH_LEVEL, 64, 0x11)]
    [InlineData(PagedPool, DISPATCH_LEVEL, 9000, 0x11)]
    [InlineData(NonPagedPoolNx, CLOCK_LEVEL, 64, 0x12)]
    [InlineData(NonPagedPoolNx, CLOCK_LEVEL, 9000, 0x12)]
    public void Free_AboveAllowedIrql_IsVerifierViolation(POOL_TYPE type, KIRQL irql, int size, uint subcode)
    {
        using TestMachine machine = Verified();
        nint p = ExAllocatePoolWithTag(type, (nuint)size, "Vrfy");
        using (IrqlScope.Raise(irql))
        {
            BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, subcode, () => ExFreePool(p));
            Assert.Equal((ulong)irql, bugCheck.Parameter2);
            Assert.Equal((ulong)type, bugCheck.Parameter3);
            Assert.Equal((ulong)p, bugCheck.Parameter4);
        }

        ExFreePool(p);
    }

    [Fact]
    public void DoubleFree_OfSmallBlock_IsVerifierViolation0x13_WithHeaderAddressAndContents()
    {
        using TestMachine machine = Verified();
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Vrfy");
        ExFreePool(p);
        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, 0x13, () => ExFreePool(p));
        Assert.Equal(0UL, bugCheck.Parameter2);
        Assert.Equal((ulong)(p - 16), bugCheck.Parameter3);
        Assert.NotEqual(0UL, bugCheck.Parameter4);
    }

    [Fact]
    public void DoubleFree_OfBigBlock_IsVerifierViolation0x13()
    {
        using TestMachine machine = Verified();
        nint p = ExAllocatePoolWithTag(PagedPool, 9000, "Vrfy");
        ExFreePool(p);
        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, 0x13, () => ExFreePool(p));
        Assert.Equal((ulong)p, bugCheck.Parameter3);
    }

    [Fact]
    public unsafe void Free_OfAddressNeverAllocated_IsVerifierViolation0x10_WithTheAddress()
    {
        using TestMachine machine = Verified();
        int local = 0;
        nint foreign = (nint)(&local);
        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, 0x10, () => ExFreePool(foreign));
        Assert.Equal((ulong)foreign, bugCheck.Parameter2);
        Assert.Equal(0UL, bugCheck.Parameter3);
        Assert.Equal(0UL, bugCheck.Parameter4);
    }

    [Fact]
    public void Free_OfAddressInsideABlock_IsVerifierViolation0x10()
    {
        using TestMachine machine = Verified();
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Vrfy");
        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, 0x10, () => ExFreePool(p + 8));
        Assert.Equal((ulong)(p + 8), bugCheck.Parameter2);
        ExFreePool(p);
    }

    [Fact]
    public void TagMismatch_StaysTheKernelsBadPoolCaller0x0A()
    {
        using TestMachine machine = Verified();
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Mine");
        BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x0A, () => ExFreePoolWithTag(p, "Your"));
        ExFreePoolWithTag(p, "Mine");
    }
}
