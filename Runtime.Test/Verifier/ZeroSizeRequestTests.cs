using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Verifier;

public sealed class ZeroSizeRequestTests
{
    [Fact]
    public void ZeroByteRequest_WithCheckOn_BugChecks0xC4Subcode0()
    {
        using var machine = TestMachine.WithVerifier(new VerifierOptions { FlagZeroSizeRequests = true });
        using var raised = IrqlScope.Raise(KIRQL.APC_LEVEL);

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, 0x00, () => ExAllocatePoolWithTag(PagedPool, 0, "Zero"));

        Assert.Equal((ulong)KIRQL.APC_LEVEL, bugCheck.Parameter2);
        Assert.Equal((ulong)PagedPool, bugCheck.Parameter3);
        Assert.Equal(0UL, bugCheck.Parameter4);
        Assert.StartsWith("DRIVER_VERIFIER_DETECTED_VIOLATION (0xC4): zero-byte", bugCheck.Message, System.StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroByteRequest_WithCheckOff_ReturnsOneByteBlock()
    {
        using var machine = TestMachine.WithVerifier(new VerifierOptions { FlagZeroSizeRequests = false, PoolTracking = true });
        nint p = ExAllocatePoolWithTag(PagedPool, 0, "Zero");
        Assert.Equal((nuint)1, Assert.Single(machine.System.Verifier.GetOutstandingAllocations("Zero")).NumberOfBytes);
        ExFreePool(p);
    }

    [Fact]
    public void NonZeroRequest_WithCheckOn_Succeeds()
    {
        using var machine = TestMachine.WithVerifier(new VerifierOptions { FlagZeroSizeRequests = true });
        ExFreePool(ExAllocatePoolWithTag(PagedPool, 1, "Zero"));
    }
}
