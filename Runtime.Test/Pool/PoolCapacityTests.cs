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
        var raised = Assert.Throws<NtStatusException>(() => ExAllocatePoolWithTag(PagedPool | POOL_RAISE_IF_ALLOCATION_FAILURE, 128 * 1024, "Full"));
        Assert.Equal(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, raised.Status);
    }

    [Fact]
    public void ExhaustedPool_InQuotaAllocation_RaisesInsufficientResourcesUnlessFailInsteadOfRaise()
    {
        using var machine = new TestMachine(new SystemConfiguration { PagedPoolSize = 64 * 1024 });
        var raised = Assert.Throws<NtStatusException>(() => ExAllocatePoolWithQuotaTag(PagedPool, 128 * 1024, "Full"));
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
    public void SmallBlocks_ChargeCapacityPerSixtyFourKilobyteChunk()
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Chnk");
        Assert.Equal(64 * 1024, machine.System.NonPagedPoolCommittedBytes);
        Assert.Equal(0, machine.System.PagedPoolCommittedBytes);
        ExFreePool(p);
    }
}
