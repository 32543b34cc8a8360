using System;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Verifier;

public sealed unsafe class SpecialPoolTests
{
    private static TestMachine SpecialPool() => TestMachine.WithVerifier(new VerifierOptions { SpecialPool = true });

    [Theory]
    [InlineData(NonPagedPoolNx, 64)]
    [InlineData(PagedPool, 5008)]
    public void BlockWithSixteenMultipleSize_EndsAtTheEndOfItsPage(POOL_TYPE type, int size)
    {
        using TestMachine machine = SpecialPool();
        nint p = ExAllocatePoolWithTag(type, (nuint)size, "Spcl");
        Assert.Equal(0, (p + size) % 4096);
        new Span<byte>((void*)p, size).Fill(1);
        ExFreePool(p);
        Assert.Equal(0, machine.System.QueryPoolTag("Spcl", PoolTypes.IsPaged(type)).Diff);
    }

    [Fact]
    public void CacheAlignedBlock_Is64ByteAligned()
    {
        using TestMachine machine = SpecialPool();
        nint p = ExAllocatePoolWithTag(NonPagedPoolNxCacheAligned, 10, "Spcl");
        Assert.Equal(0, p % 64);
        ExFreePool(p);
    }

    [Fact]
    public void WriteIntoGuardPage_BugChecks0xCDWhenFreed()
    {
        using TestMachine machine = SpecialPool();
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Spcl");
        *(byte*)(p + 64) = 0;

        BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => ExFreePool(p));

        Assert.Equal(BugCheckNames.PAGE_FAULT_BEYOND_END_OF_ALLOCATION, bugCheck.BugCheckCode);
        Assert.Equal((ulong)(p + 64), bugCheck.Parameter1);
        Assert.Equal(1UL, bugCheck.Parameter2);
        Assert.Contains("0 bytes beyond the end of the 64-byte block", bugCheck.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteIntoSlackAfterBlock_BugChecks0xC1Subcode0x24WhenFreed()
    {
        using TestMachine machine = SpecialPool();
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 10, "Spcl");
        *(byte*)(p + 10) = 0;

        BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => ExFreePoolWithTag(p, "Spcl"));

        Assert.Equal(BugCheckNames.SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, bugCheck.BugCheckCode);
        Assert.Equal((ulong)p, bugCheck.Parameter1);
        Assert.Equal((ulong)(p + 10), bugCheck.Parameter2);
        Assert.Equal(0x24UL, bugCheck.Parameter4);
    }

    [Fact]
    public void WriteBeforeBlockInItsPage_BugChecks0xC1Subcode0x23WhenFreed()
    {
        using TestMachine machine = SpecialPool();
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Spcl");
        *(byte*)(p - 100) = 0;

        BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => ExFreePool(p));

        Assert.Equal(BugCheckNames.SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, bugCheck.BugCheckCode);
        Assert.Equal((ulong)(p - 100), bugCheck.Parameter2);
        Assert.Equal(0x23UL, bugCheck.Parameter4);
    }

    [Fact]
    public void DoubleFree_InSpecialPool_IsReportedByTheVerifier0xC4_0x13()
    {
        using TestMachine machine = SpecialPool();
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Spcl");
        ExFreePool(p);
        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, 0x13, () => ExFreePool(p));
        Assert.Equal((ulong)p, bugCheck.Parameter3);
    }

    [Fact]
    public void TagFilter_SendsOnlyListedTagsToSpecialPool()
    {
        using var machine = TestMachine.WithVerifier(new VerifierOptions { SpecialPool = true, SpecialPoolTags = ["Spcl"] });
        nint special = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Spcl");
        nint ordinary = ExAllocatePoolWithTag(NonPagedPoolNx, 48, "Ordi");
        Assert.Equal(0, (special + 64) % 4096);
        Assert.NotEqual(0, (ordinary + 48) % 4096);
        ExFreePool(special);
        ExFreePool(ordinary);
    }

    [Fact]
    public void QuotaAllocation_InSpecialPool_ChargesAndReturnsTheSmallBlockSize()
    {
        using TestMachine machine = SpecialPool();
        KernelProcess process = machine.System.CreateProcess("app.exe", 1000, 1000);
        using (process.Attach())
        {
            nint p = ExAllocatePoolWithQuotaTag(PagedPool, 64, "Spcl");
            Assert.Equal(80UL, process.PagedPoolQuotaUsage);
            ExFreePool(p);
            Assert.Equal(0UL, process.PagedPoolQuotaUsage);
        }
    }
}
