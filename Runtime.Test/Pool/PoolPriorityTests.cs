using System;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.EX_POOL_PRIORITY;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Pool;

// LowPoolPriority is refused when granting it would leave less than the low threshold free (the level
// that signals the Low…PoolCondition event), NormalPoolPriority below a quarter of it, HighPoolPriority
// only when the pool is exhausted.
public sealed class PoolPriorityTests
{
    private const long MiB = 1 << 20;

    // 3 MiB of nonpaged pool: low threshold min(8 MB, size/3) = 1 MiB, "very low" 256 KiB.
    private static TestMachine SmallNonPagedPool() => new(new SystemConfiguration { NonPagedPoolSize = 3 * MiB });

    [Theory]
    [InlineData(LowPoolPriority, MiB)]
    [InlineData(LowPoolPrioritySpecialPoolOverrun, MiB)]
    [InlineData(LowPoolPrioritySpecialPoolUnderrun, MiB)]
    [InlineData(NormalPoolPriority, MiB / 4)]
    [InlineData(NormalPoolPrioritySpecialPoolUnderrun, MiB / 4)]
    public void Request_IsRefusedExactlyWhenItWouldLeaveLessThanItsReserveFree(EX_POOL_PRIORITY priority, long reserve)
    {
        using TestMachine machine = SmallNonPagedPool();
        nint filler = ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)(1.5 * MiB), "Fill");
        long free = (3 * MiB) - machine.System.NonPagedPoolCommittedBytes;
        nuint fits = (nuint)(free - reserve);

        Assert.Equal(0, ExAllocatePoolWithTagPriority(NonPagedPoolNx, fits + 1, "Prio", priority));
        Assert.Equal(0, machine.System.QueryPoolTag("Prio", paged: false).Allocs);

        nint granted = ExAllocatePoolWithTagPriority(NonPagedPoolNx, fits, "Prio", priority);
        Assert.NotEqual(0, granted);

        ExFreePool(granted);
        ExFreePool(filler);
    }

    [Fact]
    public void HighPriority_FailsOnlyWhenThePoolIsExhausted()
    {
        using TestMachine machine = SmallNonPagedPool();
        nint filler = ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)(2.5 * MiB), "Fill");
        long free = (3 * MiB) - machine.System.NonPagedPoolCommittedBytes;

        Assert.Equal(0, ExAllocatePoolWithTagPriority(NonPagedPoolNx, (nuint)free + 1, "Prio", HighPoolPriority));
        nint last = ExAllocatePoolWithTagPriority(NonPagedPoolNx, (nuint)free, "Prio", HighPoolPriority);
        Assert.NotEqual(0, last);
        Assert.Equal(3 * MiB, machine.System.NonPagedPoolCommittedBytes);

        ExFreePool(last);
        ExFreePool(filler);
    }

    [Fact]
    public void SmallRequests_FollowTheLowPoolConditionEvent()
    {
        using TestMachine machine = SmallNonPagedPool();
        KernelSystem system = machine.System;

        Assert.False(system.LowNonPagedPoolCondition.IsSignaled);
        nint low = ExAllocatePoolWithTagPriority(NonPagedPoolNx, 64, "Prio", LowPoolPriority);
        Assert.NotEqual(0, low);

        // 2.5 MiB taken: 0.5 MiB free, below the 1 MiB low threshold but above "very low".
        nint filler = ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)(2.5 * MiB) - 64 * 1024, "Fill");
        Assert.True(system.LowNonPagedPoolCondition.IsSignaled);

        Assert.Equal(0, ExAllocatePoolWithTagPriority(NonPagedPoolNx, 64, "Prio", LowPoolPriority));
        nint normal = ExAllocatePoolWithTagPriority(NonPagedPoolNx, 64, "Prio", NormalPoolPriority);
        nint high = ExAllocatePoolWithTagPriority(NonPagedPoolNx, 64, "Prio", HighPoolPriority);
        Assert.NotEqual(0, normal);
        Assert.NotEqual(0, high);

        ExFreePool(filler);
        Assert.False(system.LowNonPagedPoolCondition.IsSignaled);
        nint again = ExAllocatePoolWithTagPriority(NonPagedPoolNx, 64, "Prio", LowPoolPriority);
        Assert.NotEqual(0, again);

        foreach (nint p in new[] { low, normal, high, again })
        {
            ExFreePool(p);
        }
    }

    [Fact]
    public void PagedPool_IsJudgedByItsOwnThreshold()
    {
        // 5 MiB paged: low threshold min(30 MB, size/5) = 1 MiB; nonpaged pool stays ample.
        using var machine = new TestMachine(new SystemConfiguration { PagedPoolSize = 5 * MiB, NonPagedPoolSize = 3 * MiB });
        nint filler = ExAllocatePoolWithTag(PagedPool, (nuint)(4.5 * MiB), "Fill");

        Assert.True(machine.System.LowPagedPoolCondition.IsSignaled);
        Assert.Equal(0, ExAllocatePoolWithTagPriority(PagedPool, 64, "Prio", LowPoolPriority));
        nint nonPaged = ExAllocatePoolWithTagPriority(NonPagedPoolNx, 64, "Prio", LowPoolPriority);
        Assert.NotEqual(0, nonPaged);

        ExFreePool(nonPaged);
        ExFreePool(filler);
    }

    [Fact]
    public void RefusedRequest_WithTheRaiseModifier_RaisesInsufficientResources()
    {
        using TestMachine machine = SmallNonPagedPool();
        nint filler = ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)(2.5 * MiB), "Fill");

        NtStatusException raised = Assert.Throws<NtStatusException>(() => ExAllocatePoolWithTagPriority(NonPagedPoolNx | POOL_RAISE_IF_ALLOCATION_FAILURE, 64, "Prio", LowPoolPriority));

        Assert.Equal(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, raised.Status);
        Assert.Contains("LowPoolPriority request for 64 bytes tagged 'Prio' refused", raised.Message, StringComparison.Ordinal);
        ExFreePool(filler);
    }

    [Fact]
    public void ExAllocatePool3_PriorityParameter_FollowsTheSameRule()
    {
        using TestMachine machine = SmallNonPagedPool();
        nint filler = ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)(2.5 * MiB), "Fill");
        POOL_EXTENDED_PARAMETER[] low = [new() { Type = POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterPriority, Priority = LowPoolPriority }];
        POOL_EXTENDED_PARAMETER[] normal = [new() { Type = POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterPriority, Priority = NormalPoolPriority }];

        Assert.Equal(0, ExAllocatePool3(POOL_FLAGS.POOL_FLAG_NON_PAGED, 64, "Prio", low, 1));
        NtStatusException raised = Assert.Throws<NtStatusException>(() => ExAllocatePool3(POOL_FLAGS.POOL_FLAG_NON_PAGED | POOL_FLAGS.POOL_FLAG_RAISE_ON_FAILURE, 64, "Prio", low, 1));
        Assert.Equal(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, raised.Status);
        nint p = ExAllocatePool3(POOL_FLAGS.POOL_FLAG_NON_PAGED, 64, "Prio", normal, 1);
        Assert.NotEqual(0, p);

        ExFreePool(p);
        ExFreePool(filler);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(17)]
    [InlineData(33)]
    [InlineData(42)]
    [InlineData(48)]
    public void UndefinedPriority_IsAnArgumentOutOfRangeException(int value)
    {
        using var machine = new TestMachine();

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => ExAllocatePoolWithTagPriority(NonPagedPoolNx, 64, "Prio", (EX_POOL_PRIORITY)value));
        Assert.Equal("Priority", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => ExAllocatePoolPriorityZero(NonPagedPoolNx, 64, "Prio", (EX_POOL_PRIORITY)value));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExAllocatePoolPriorityUninitialized(NonPagedPoolNx, 64, "Prio", (EX_POOL_PRIORITY)value));
        Assert.Empty(machine.System.QueryPoolTags());
    }

    [Fact]
    public void ExAllocatePoolWithTagPriority_KeepsTheBugChecksOfExAllocatePoolWithTag()
    {
        using var machine = new TestMachine();

        BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x9B, () => ExAllocatePoolWithTagPriority(NonPagedPoolNx, 64, default, HighPoolPriority));
        BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x9A, () => ExAllocatePoolWithTagPriority(NonPagedPoolMustSucceed, 64, "Prio", HighPoolPriority));
        using var raised = IrqlScope.Raise(KIRQL.DISPATCH_LEVEL);
        BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x08, () => ExAllocatePoolWithTagPriority(PagedPool, 64, "Prio", LowPoolPriority));
    }
}
