using System;
using System.Threading;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Pool;

public sealed class PoolQuotaTests
{
    [Fact]
    public void QuotaAllocation_ChargesWholeBlockIncludingHeader_AndReturnsItOnFree()
    {
        using var machine = new TestMachine();
        KernelProcess process = machine.System.CreateProcess("app.exe", 1 << 20, 1 << 20);
        using (process.Attach())
        {
            nint paged = ExAllocatePoolWithQuotaTag(PagedPool, 100, "Quot");
            nint nonPaged = ExAllocatePoolWithQuotaTag(NonPagedPoolNx, 64, "Quot");

            Assert.Equal(128UL, process.PagedPoolQuotaUsage);    // 100 + 16, rounded to 16
            Assert.Equal(80UL, process.NonPagedPoolQuotaUsage);  // 64 + 16

            ExFreePool(paged);
            ExFreePoolWithTag(nonPaged, "Quot");
        }

        Assert.Equal(0UL, process.PagedPoolQuotaUsage);
        Assert.Equal(0UL, process.NonPagedPoolQuotaUsage);
    }

    [Fact]
    public void QuotaCharge_IsReturnedEvenWhenAnotherThreadFrees()
    {
        using var machine = new TestMachine();
        KernelProcess process = machine.System.CreateProcess("app.exe", 1 << 20, 1 << 20);
        nint p;
        using (process.Attach())
        {
            p = ExAllocatePoolWithQuotaTag(NonPagedPoolNx, 200, "Quot");
        }

        var freer = new Thread(() => ExFreePool(p));
        freer.Start();
        freer.Join();
        Assert.Equal(0UL, process.NonPagedPoolQuotaUsage);
    }

    [Fact]
    public void CacheAlignedQuotaAllocation_ChargesTheSixtyFourByteRoundedBlock()
    {
        using var machine = new TestMachine();
        KernelProcess process = machine.System.CreateProcess("app.exe", 1 << 20, 1 << 20);
        using (process.Attach())
        {
            nint p = ExAllocatePoolWithQuotaTag(NonPagedPoolCacheAligned, 50, "Quot");
            Assert.Equal(128UL, process.NonPagedPoolQuotaUsage);
            ExFreePool(p);
        }
    }

    [Fact]
    public void PageSizedQuotaAllocation_IsNotCharged()
    {
        using var machine = new TestMachine();
        KernelProcess process = machine.System.CreateProcess("app.exe", 100, 100);
        using (process.Attach())
        {
            nint p = ExAllocatePoolWithQuotaTag(PagedPool, 4096, "Quot");
            Assert.Equal(0UL, process.PagedPoolQuotaUsage);
            ExFreePool(p);
        }
    }

    [Fact]
    public void SystemProcess_IsNeverCharged()
    {
        using var machine = new TestMachine();
        Assert.Same(machine.System.SystemProcess, machine.System.CurrentProcess);
        nint p = ExAllocatePoolWithQuotaTag(PagedPool, 64, "Quot");
        Assert.Equal(0UL, machine.System.SystemProcess.PagedPoolQuotaUsage);
        ExFreePool(p);
    }

    [Fact]
    public void OverQuota_RaisesStatusQuotaExceeded()
    {
        using var machine = new TestMachine();
        KernelProcess process = machine.System.CreateProcess("app.exe", 100, 1000);
        using (process.Attach())
        {
            NtStatusException raised = Assert.Throws<NtStatusException>(() => ExAllocatePoolWithQuotaTag(PagedPool, 100, "Quot"));
            Assert.Equal(NTSTATUS.STATUS_QUOTA_EXCEEDED, raised.Status);
            Assert.Equal(0UL, process.PagedPoolQuotaUsage);
            Assert.Equal(0, machine.System.QueryPoolTag("Quot", paged: true).Allocs);
        }
    }

    [Fact]
    public void OverQuota_WithFailInsteadOfRaise_ReturnsNull()
    {
        using var machine = new TestMachine();
        KernelProcess process = machine.System.CreateProcess("app.exe", 1000, 80);
        using (process.Attach())
        {
            nint first = ExAllocatePoolWithQuotaTag(NonPagedPoolNx | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 64, "Quot");
            Assert.NotEqual(0, first);
            Assert.Equal(0, ExAllocatePoolWithQuotaTag(NonPagedPoolNx | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 64, "Quot"));
            Assert.Equal(0, ExAllocatePoolWithQuota(NonPagedPoolNx | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 64));
            ExFreePool(first);
            nint again = ExAllocatePoolWithQuotaTag(NonPagedPoolNx | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 64, "Quot");
            Assert.NotEqual(0, again);
            ExFreePool(again);
        }
    }

    [Fact]
    public void OrdinaryAllocation_WhileAttached_IsNotCharged()
    {
        using var machine = new TestMachine();
        KernelProcess process = machine.System.CreateProcess("app.exe", 10, 10);
        using (process.Attach())
        {
            nint p = ExAllocatePoolWithTag(PagedPool, 64, "Quot");
            Assert.Equal(0UL, process.PagedPoolQuotaUsage);
            ExFreePool(p);
        }
    }

    [Fact]
    public void AttachScopes_Nest_AndRestoreThePreviousProcess()
    {
        using var machine = new TestMachine();
        KernelProcess outer = machine.System.CreateProcess("outer.exe", 1000, 1000);
        KernelProcess inner = machine.System.CreateProcess("inner.exe", 1000, 1000);
        using (outer.Attach())
        {
            using (inner.Attach())
            {
                Assert.Same(inner, machine.System.CurrentProcess);
            }

            Assert.Same(outer, machine.System.CurrentProcess);
        }

        Assert.Same(machine.System.SystemProcess, machine.System.CurrentProcess);
    }

    [Fact]
    public void ProcessOfAnotherMachine_IsRejectedWithClearMessage()
    {
        using var other = new KernelSystem();
        KernelProcess foreign = other.CreateProcess("foreign.exe", 1000, 1000);
        using var machine = new TestMachine();
        using (foreign.Attach())
        {
            InvalidOperationException error = Assert.Throws<System.InvalidOperationException>(() => ExAllocatePoolWithQuotaTag(PagedPool, 64, "Quot"));
            Assert.Contains("foreign.exe", error.Message, System.StringComparison.Ordinal);
        }
    }
}
