using System;
using System.Collections.Generic;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Verifier;

public sealed class PoolTrackingTests
{
    [Fact]
    public void OutstandingAllocations_ListsUnfreedBlocksOfTheTagsByTagAndSize()
    {
        using var machine = TestMachine.WithVerifier(new VerifierOptions { PoolTracking = true });
        nint a = ExAllocatePoolWithTag(PagedPool, 100, "DrvA");
        nint b = ExAllocatePoolWithTag(NonPagedPoolNx, 9000, "DrvB");
        nint other = ExAllocatePoolWithTag(PagedPool, 5, "Othr");
        nint freed = ExAllocatePoolWithTag(PagedPool, 7, "DrvA");
        ExFreePool(freed);

        IReadOnlyList<PoolAllocationRecord> leaks = machine.System.Verifier.GetOutstandingAllocations("DrvA", "DrvB");

        Assert.Equal(2, leaks.Count);
        Assert.Equal(new PoolAllocationRecord(a, "DrvA", PagedPool, 100), leaks[0]);
        Assert.Equal(new PoolAllocationRecord(b, "DrvB", NonPagedPoolNx, 9000), leaks[1]);
        Assert.Equal(3, machine.System.Verifier.GetOutstandingAllocations().Count);

        ExFreePool(a);
        ExFreePool(b);
        ExFreePool(other);
    }

    [Fact]
    public void DriverUnload_WithAllocationsOutstanding_BugChecks0xC4Subcode0x62ListingThem()
    {
        using var machine = TestMachine.WithVerifier(new VerifierOptions { PoolTracking = true });
        nint a = ExAllocatePoolWithTag(PagedPool, 100, "DrvA");
        nint b = ExAllocatePoolWithTag(PagedPool, 24, "DrvA");

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, 0x62,
            () => machine.System.Verifier.VerifyDriverUnload("mydriver.sys", "DrvA"));

        Assert.Equal(2UL, bugCheck.Parameter4);
        Assert.Contains("mydriver.sys unloaded with 2 pool allocation(s) not freed", bugCheck.Message, StringComparison.Ordinal);
        Assert.Contains("'DrvA' 100 bytes", bugCheck.Message, StringComparison.Ordinal);
        Assert.Contains("'DrvA' 24 bytes", bugCheck.Message, StringComparison.Ordinal);

        ExFreePool(a);
        ExFreePool(b);
        machine.System.Verifier.VerifyDriverUnload("mydriver.sys", "DrvA");
    }

    [Fact]
    public void TrackingTagFilter_RecordsOnlyTheListedTags()
    {
        using var machine = TestMachine.WithVerifier(new VerifierOptions { PoolTracking = true, PoolTrackingTags = ["Keep"] });
        nint kept = ExAllocatePoolWithTag(PagedPool, 10, "Keep");
        nint ignored = ExAllocatePoolWithTag(PagedPool, 10, "Skip");

        Assert.Equal(kept, Assert.Single(machine.System.Verifier.GetOutstandingAllocations()).Address);
        ExFreePool(kept);
        ExFreePool(ignored);
    }

    [Fact]
    public void OutstandingAllocations_WithTrackingOff_ThrowsExplaining()
    {
        using var machine = new TestMachine();
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => machine.System.Verifier.GetOutstandingAllocations("DrvA"));
        Assert.Contains("PoolTracking", error.Message, StringComparison.Ordinal);
    }
}
