using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_FLAGS;

namespace PoolAnalyzers.Runtime.Test.Pool;

public sealed class ExAllocatePool2QuotaTests
{
    [Fact]
    public void UseQuota_ChargesTheWholeBlock_AndReturnsItOnFree()
    {
        using var machine = new TestMachine();
        KernelProcess process = machine.System.CreateProcess("app.exe", 1 << 20, 1 << 20);
        using (process.Attach())
        {
            nint paged = ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_USE_QUOTA, 100, "Quot");
            nint nonPaged = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_USE_QUOTA, 64, "Quot");
            nint aligned = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_USE_QUOTA | POOL_FLAG_CACHE_ALIGNED, 50, "Quot");

            Assert.Equal(128UL, process.PagedPoolQuotaUsage);
            Assert.Equal(80UL + 128UL, process.NonPagedPoolQuotaUsage);

            ExFreePool(paged);
            ExFreePool2(nonPaged, "Quot", null, 0);
            ExFreePoolWithTag(aligned, "Quot");
        }

        Assert.Equal(0UL, process.PagedPoolQuotaUsage);
        Assert.Equal(0UL, process.NonPagedPoolQuotaUsage);
    }

    [Fact]
    public void WithoutUseQuota_NothingIsCharged()
    {
        using var machine = new TestMachine();
        KernelProcess process = machine.System.CreateProcess("app.exe", 10, 10);
        using (process.Attach())
        {
            nint p = ExAllocatePool2(POOL_FLAG_PAGED, 64, "Quot");
            Assert.Equal(0UL, process.PagedPoolQuotaUsage);
            ExFreePool(p);
        }
    }

    [Fact]
    public void PageSizedQuotaRequest_IsNotCharged()
    {
        using var machine = new TestMachine();
        KernelProcess process = machine.System.CreateProcess("app.exe", 100, 100);
        using (process.Attach())
        {
            nint p = ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_USE_QUOTA, 4096, "Quot");
            Assert.NotEqual(0, p);
            Assert.Equal(0UL, process.PagedPoolQuotaUsage);
            ExFreePool(p);
        }
    }

    [Fact]
    public void OverQuota_ReturnsNull_UnlikeExAllocatePoolWithQuotaTag()
    {
        using var machine = new TestMachine();
        KernelProcess process = machine.System.CreateProcess("app.exe", 1000, 80);
        using (process.Attach())
        {
            nint first = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_USE_QUOTA, 64, "Quot");
            Assert.NotEqual(0, first);

            Assert.Equal(0, ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_USE_QUOTA, 64, "Quot"));
            Assert.Throws<NtStatusException>(() => ExAllocatePoolWithQuotaTag(POOL_TYPE.NonPagedPoolNx, 64, "Quot"));
            Assert.Equal(80UL, process.NonPagedPoolQuotaUsage);
            Assert.Equal(1, machine.System.QueryPoolTag("Quot", paged: false).Diff);

            ExFreePool(first);
            nint again = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_USE_QUOTA, 64, "Quot");
            Assert.NotEqual(0, again);
            ExFreePool(again);
        }
    }

    [Fact]
    public void OverQuota_WithRaiseOnFailure_RaisesQuotaExceeded()
    {
        using var machine = new TestMachine();
        KernelProcess process = machine.System.CreateProcess("app.exe", 100, 1000);
        using (process.Attach())
        {
            NtStatusException raised = Assert.Throws<NtStatusException>(() => ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_USE_QUOTA | POOL_FLAG_RAISE_ON_FAILURE, 100, "Quot"));

            Assert.Equal(NTSTATUS.STATUS_QUOTA_EXCEEDED, raised.Status);
            Assert.Equal(0UL, process.PagedPoolQuotaUsage);
            Assert.Equal(0, machine.System.QueryPoolTag("Quot", paged: true).Allocs);
        }
    }

    [Fact]
    public void ExhaustedPool_WithQuotaAndRaiseOnFailure_RaisesInsufficientResources()
    {
        using var machine = new TestMachine(new SystemConfiguration { PagedPoolSize = 64 * 1024 });
        KernelProcess process = machine.System.CreateProcess("app.exe", 1 << 30, 1 << 30);
        using (process.Attach())
        {
            NtStatusException raised = Assert.Throws<NtStatusException>(() => ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_USE_QUOTA | POOL_FLAG_RAISE_ON_FAILURE, 128 * 1024, "Quot"));

            Assert.Equal(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, raised.Status);
            Assert.Equal(0UL, process.PagedPoolQuotaUsage);
        }
    }
}
