using System;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.EX_POOL_PRIORITY;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Pool;

// The wdm.h down-level helpers: each is its wrapped routine plus (or minus) zeroing.
public sealed unsafe class DownLevelHelperTests
{
    private delegate nint Allocator(POOL_TYPE type, nuint size, PoolTag tag);

    private static readonly Allocator[] s_zeroing =
    [
        ExAllocatePoolZero,
        ExAllocatePoolQuotaZero,
        (type, size, tag) => ExAllocatePoolPriorityZero(type, size, tag, NormalPoolPriority),
    ];

    private static readonly Allocator[] s_uninitialized =
    [
        ExAllocatePoolUninitialized,
        ExAllocatePoolQuotaUninitialized,
        (type, size, tag) => ExAllocatePoolPriorityUninitialized(type, size, tag, HighPoolPriority),
    ];

    [Theory]
    [InlineData(0, 64)]
    [InlineData(1, 64)]
    [InlineData(2, 64)]
    [InlineData(0, 10_000)]
    [InlineData(1, 10_000)]
    [InlineData(2, 10_000)]
    public void ZeroHelper_ZeroesADirtyBlock(int helper, int size)
    {
        using var machine = new TestMachine();
        KernelProcess process = machine.System.CreateProcess("app.exe", 1 << 20, 1 << 20);
        using KernelProcess.AttachScope attached = process.Attach();
        nint dirty = ExAllocatePoolWithTag(PagedPool, (nuint)size, "Help");
        new Span<byte>((void*)dirty, size).Fill(0xEE);
        ExFreePool(dirty);

        nint p = s_zeroing[helper](PagedPool, (nuint)size, "Help");

        Assert.Equal(dirty, p);
        Assert.True(new Span<byte>((void*)p, size).IndexOfAnyExcept((byte)0) < 0, "block not zeroed");
        ExFreePool(p);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void UninitializedHelper_LeavesTheOldContents(int helper)
    {
        using var machine = new TestMachine();
        KernelProcess process = machine.System.CreateProcess("app.exe", 1 << 20, 1 << 20);
        using KernelProcess.AttachScope attached = process.Attach();
        nint dirty = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Help");
        new Span<byte>((void*)dirty, 64).Fill(0xEE);
        ExFreePool(dirty);

        nint p = s_uninitialized[helper](NonPagedPoolNx, 64, "Help");

        Assert.Equal(dirty, p);
        Assert.Equal(0xEE, *(byte*)(p + 63));
        ExFreePool(p);
    }

    [Theory]
    [InlineData(true, 0)]
    [InlineData(true, 1)]
    [InlineData(true, 2)]
    [InlineData(false, 0)]
    [InlineData(false, 1)]
    [InlineData(false, 2)]
    public void Helper_KeepsTheTagZeroBugCheckOfTheRoutineItWraps(bool zero, int helper)
    {
        using var machine = new TestMachine();
        Allocator allocate = (zero ? s_zeroing : s_uninitialized)[helper];

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x9B, () => allocate(NonPagedPoolNx, 64, default));

        Assert.Equal((ulong)NonPagedPoolNx, bugCheck.Parameter2);
        Assert.Equal(64UL, bugCheck.Parameter3);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void QuotaHelper_RaisesOverQuotaByDefault_LikeExAllocatePoolWithQuotaTag(bool zero)
    {
        using var machine = new TestMachine();
        KernelProcess process = machine.System.CreateProcess("app.exe", 100, 100);
        using KernelProcess.AttachScope attached = process.Attach();
        Allocator allocate = zero ? ExAllocatePoolQuotaZero : ExAllocatePoolQuotaUninitialized;

        NtStatusException raised = Assert.Throws<NtStatusException>(() => allocate(PagedPool, 100, "Quot"));

        Assert.Equal(NTSTATUS.STATUS_QUOTA_EXCEEDED, raised.Status);
        Assert.Equal(0, allocate(PagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 100, "Quot"));
        Assert.Equal(0UL, process.PagedPoolQuotaUsage);

        nint p = allocate(PagedPool, 64, "Quot");
        Assert.Equal(80UL, process.PagedPoolQuotaUsage);
        ExFreePool(p);
        Assert.Equal(0UL, process.PagedPoolQuotaUsage);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void QuotaHelper_OnAnExhaustedPool_RaisesInsufficientResourcesByDefault(bool zero)
    {
        using var machine = new TestMachine(new SystemConfiguration { PagedPoolSize = 64 * 1024 });
        Allocator allocate = zero ? ExAllocatePoolQuotaZero : ExAllocatePoolQuotaUninitialized;

        NtStatusException raised = Assert.Throws<NtStatusException>(() => allocate(PagedPool, 128 * 1024, "Full"));

        Assert.Equal(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, raised.Status);
        Assert.Equal(0, allocate(PagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 128 * 1024, "Full"));
    }

    [Theory]
    [InlineData(true, 0)]
    [InlineData(true, 2)]
    [InlineData(false, 0)]
    [InlineData(false, 2)]
    public void NonQuotaHelper_OnAnExhaustedPool_ReturnsNull_OrRaisesWithTheRaiseModifier(bool zero, int helper)
    {
        using var machine = new TestMachine(new SystemConfiguration { PagedPoolSize = 64 * 1024 });
        Allocator allocate = (zero ? s_zeroing : s_uninitialized)[helper];

        Assert.Equal(0, allocate(PagedPool, 128 * 1024, "Full"));
        NtStatusException raised = Assert.Throws<NtStatusException>(() => allocate(PagedPool | POOL_RAISE_IF_ALLOCATION_FAILURE, 128 * 1024, "Full"));
        Assert.Equal(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, raised.Status);
    }

    [Fact]
    public void PriorityHelpers_RefuseLowPriorityWhenThePoolIsLow()
    {
        using var machine = new TestMachine(new SystemConfiguration { NonPagedPoolSize = 3 << 20 });
        nint filler = ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)(2.5 * (1 << 20)), "Fill");

        Assert.Equal(0, ExAllocatePoolPriorityZero(NonPagedPoolNx, 64, "Prio", LowPoolPriority));
        Assert.Equal(0, ExAllocatePoolPriorityUninitialized(NonPagedPoolNx, 64, "Prio", LowPoolPriority));
        nint high = ExAllocatePoolPriorityZero(NonPagedPoolNx, 64, "Prio", HighPoolPriority);
        Assert.NotEqual(0, high);

        ExFreePool(high);
        ExFreePool(filler);
    }
}
