using System.Collections.Generic;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Pool;

public sealed class PoolCapacityTests
{
    private const ulong MB = 1024 * 1024;

    [Fact]
    public void ExhaustedPool_ReturnsNull_AndRecoversAfterFree()
    {
        using var machine = new TestMachine(new SystemConfiguration { NonPagedPoolSize = 1 * MB });
        var blocks = new List<nint>();
        nint p;
        while ((p = ExAllocatePoolWithTag(NonPagedPoolNx, 1000, "Full")) != 0)
        {
            blocks.Add(p);
        }

        // 64 KiB chunks hold 16 pages of four 1016-byte blocks each.
        Assert.Equal(16 * 16 * 4, blocks.Count);
        Assert.Equal(0, ExAllocatePoolWithTag(NonPagedPoolNx, 5000, "Full"));

        ExFreePool(blocks[0]);
        Assert.Equal(blocks[0], ExAllocatePoolWithTag(NonPagedPoolNx, 1000, "Full"));
        blocks.ForEach(ExFreePool);
    }

    [Fact]
    public void ExhaustedPool_WithRaiseModifier_RaisesInsufficientResources()
    {
        using var machine = new TestMachine(new SystemConfiguration { PagedPoolSize = 64 * 1024 });
        NtStatusException raised = Assert.Throws<NtStatusException>(() => ExAllocatePoolWithTag(PagedPool | POOL_RAISE_IF_ALLOCATION_FAILURE, 128 * 1024, "Full"));
        Assert.Equal(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, raised.Status);
    }

    [Fact]
    public void ExhaustedPool_InQuotaAllocation_RaisesInsufficientResourcesUnlessFailInsteadOfRaise()
    {
        using var machine = new TestMachine(new SystemConfiguration { PagedPoolSize = 64 * 1024 });
        NtStatusException raised = Assert.Throws<NtStatusException>(() => ExAllocatePoolWithQuotaTag(PagedPool, 128 * 1024, "Full"));
        Assert.Equal(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, raised.Status);
        Assert.Equal(0, ExAllocatePoolWithQuotaTag(PagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 128 * 1024, "Full"));
    }

    [Fact]
    public void BigAllocations_ChargeWholePages_AndReleaseThemOnFree()
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePoolWithTag(PagedPool, 10_000, "Page");
        Assert.Equal(3 * 4096, machine.System.PagedPoolCommittedBytes);
        ExFreePool(p);
        Assert.Equal(0, machine.System.PagedPoolCommittedBytes);
    }

    [Fact]
    public void NonPagedConditionEvents_FollowFreePoolAgainstThresholds()
    {
        // 30 MB nonpaged: low = min(8 MB, 10 MB) = 8 MB, high = min(20 MB, 15 MB) = 15 MB.
        using var machine = new TestMachine(new SystemConfiguration { NonPagedPoolSize = 30 * MB });
        KernelSystem system = machine.System;
        Assert.True(system.HighNonPagedPoolCondition.IsSignaled);
        Assert.False(system.LowNonPagedPoolCondition.IsSignaled);

        nint half = ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)(16 * MB), "Cond");
        Assert.False(system.HighNonPagedPoolCondition.IsSignaled);
        Assert.False(system.LowNonPagedPoolCondition.IsSignaled);

        nint more = ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)(7 * MB), "Cond");
        Assert.True(system.LowNonPagedPoolCondition.IsSignaled);
        Assert.True(system.LowNonPagedPoolCondition.Wait(System.TimeSpan.Zero));

        ExFreePool(more);
        ExFreePool(half);
        Assert.False(system.LowNonPagedPoolCondition.IsSignaled);
        Assert.True(system.HighNonPagedPoolCondition.IsSignaled);
    }

    [Fact]
    public void PagedConditionEvents_FollowFreePoolAgainstThresholds()
    {
        // 100 MB paged: low = min(30 MB, 20 MB) = 20 MB, high = min(60 MB, 40 MB) = 40 MB.
        using var machine = new TestMachine(new SystemConfiguration { PagedPoolSize = 100 * MB });
        KernelSystem system = machine.System;
        Assert.True(system.HighPagedPoolCondition.IsSignaled);

        nint p = ExAllocatePoolWithTag(PagedPool, (nuint)(61 * MB), "Cond");
        Assert.False(system.HighPagedPoolCondition.IsSignaled);
        Assert.False(system.LowPagedPoolCondition.IsSignaled);

        nint q = ExAllocatePoolWithTag(PagedPool, (nuint)(20 * MB), "Cond");
        Assert.True(system.LowPagedPoolCondition.IsSignaled);
        Assert.Equal("LowPagedPoolCondition: signaled", system.LowPagedPoolCondition.ToString());

        ExFreePool(q);
        ExFreePool(p);
        Assert.False(system.LowPagedPoolCondition.IsSignaled);
        Assert.True(system.HighPagedPoolCondition.IsSignaled);
    }

    [Fact]
    public void SmallBlocks_ChargeTheBatchTheirThreadCaches()
    {
        // A 64-byte request is an 80-byte block; the thread's cache takes a batch of 32 of them, and a
        // block in a thread cache counts as in use (like one in a per-processor lookaside).
        using var machine = new TestMachine();
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Chnk");
        Assert.Equal(32 * 80, machine.System.NonPagedPoolCommittedBytes);
        Assert.Equal(0, machine.System.PagedPoolCommittedBytes);
        ExFreePool(p);
        Assert.Equal(32 * 80, machine.System.NonPagedPoolCommittedBytes);
    }

    [Fact]
    public void PoolExhaustedByOneSize_FreedCompletely_ServesOtherSizesUpToItsCapacity()
    {
        using var machine = new TestMachine(new SystemConfiguration { NonPagedPoolSize = 1 * MB });
        List<nint> small = AllocateUntilNull(1000);
        Assert.Equal(1024, small.Count);
        small.ForEach(ExFreePool);

        // Every 1024-byte block went back; the pool's whole megabyte serves 2016-byte blocks (two per
        // page) and page-granular requests alike.
        List<nint> medium = AllocateUntilNull(2000);
        Assert.Equal((int)(MB / 2016), medium.Count);
        medium.ForEach(ExFreePool);

        nint big = ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)(MB - 4096), "Full");
        Assert.NotEqual(0, big);
        ExFreePool(big);
    }

    [Fact]
    public void FreedSmallBlocks_ReturnCapacity_SoConditionEventsRecover()
    {
        // 3 MB nonpaged: low = min(8 MB, 1 MB) = 1 MB, high = min(20 MB, 1.5 MB) = 1.5 MB.
        using var machine = new TestMachine(new SystemConfiguration { NonPagedPoolSize = 3 * MB });
        List<nint> blocks = AllocateUntilNull(500);
        Assert.True(machine.System.LowNonPagedPoolCondition.IsSignaled);
        Assert.False(machine.System.HighNonPagedPoolCondition.IsSignaled);

        blocks.ForEach(ExFreePool);
        Assert.False(machine.System.LowNonPagedPoolCondition.IsSignaled);
        Assert.True(machine.System.HighNonPagedPoolCondition.IsSignaled);
        Assert.True(machine.System.NonPagedPoolCommittedBytes <= 64 * 512, "only the thread's cache (at most 64 blocks) stays charged");
    }

    [Theory]
    [InlineData(1UL << 44)]
    [InlineData(ulong.MaxValue - 100)]
    [InlineData(ulong.MaxValue)]
    public void RequestBeyondEveryPageCount_FailsCleanly_EvenInAHugePool(ulong bytes)
    {
        using var machine = new TestMachine(new SystemConfiguration { PagedPoolSize = ulong.MaxValue, NonPagedPoolSize = ulong.MaxValue });
        Assert.Equal(0, ExAllocatePoolWithTag(PagedPool, (nuint)bytes, "Huge"));
        NtStatusException raised = Assert.Throws<NtStatusException>(() => ExAllocatePoolWithTag(NonPagedPoolNx | POOL_RAISE_IF_ALLOCATION_FAILURE, (nuint)bytes, "Huge"));
        Assert.Equal(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, raised.Status);
        Assert.Equal(0, machine.System.PagedPoolCommittedBytes);
        Assert.Equal(0, machine.System.NonPagedPoolCommittedBytes);
    }

    [Fact]
    public void RequestTheOsCannotBack_ReturnsNull_AndReleasesItsCharge()
    {
        // 2^47 bytes (128 TiB) fits the page counter but not an x64 user address space.
        using var machine = new TestMachine(new SystemConfiguration { PagedPoolSize = ulong.MaxValue });
        Assert.Equal(0, ExAllocatePoolWithTag(PagedPool, unchecked((nuint)(1UL << 47)), "Huge"));
        Assert.Equal(0, machine.System.PagedPoolCommittedBytes);
    }

    private static List<nint> AllocateUntilNull(nuint bytes)
    {
        var blocks = new List<nint>();
        nint p;
        while ((p = ExAllocatePoolWithTag(NonPagedPoolNx, bytes, "Full")) != 0)
        {
            blocks.Add(p);
        }

        return blocks;
    }
}
