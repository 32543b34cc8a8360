using System;
using System.Collections.Generic;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Pool;

public sealed unsafe class PoolAllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(100)]
    [InlineData(1024)]
    [InlineData(4064)]
    public void SmallRequest_Returns16ByteAlignedWritableBlockWithinOnePage(int size)
    {
        using var machine = new TestMachine();
        var blocks = new List<nint>();
        for (int i = 0; i < 200; i++)
        {
            nint p = ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)size, "Test");
            Assert.NotEqual(0, p);
            Assert.Equal(0, p % 16);
            Assert.Equal(p >> 12, (p + size - 1) >> 12);
            new Span<byte>((void*)p, size).Fill((byte)i);
            blocks.Add(p);
        }

        for (int i = 0; i < blocks.Count; i++)
        {
            Assert.True(new Span<byte>((void*)blocks[i], size).IndexOfAnyExcept((byte)i) < 0, "blocks overlap");
            ExFreePoolWithTag(blocks[i], "Test");
        }
    }

    [Fact]
    public void SmallBlock_CarriesSixteenByteHeaderSoNeighboursAreSixteenBytesApartPlusBody()
    {
        using var machine = new TestMachine();
        nint first = ExAllocatePoolWithTag(PagedPool, 64, "Hdr1");
        nint second = ExAllocatePoolWithTag(PagedPool, 64, "Hdr1");

        // 64 bytes + 16-byte header = 80-byte blocks carved in ascending order from a fresh page.
        Assert.Equal(80, Math.Abs(second - first));
        ExFreePool(first);
        ExFreePool(second);
    }

    [Theory]
    [InlineData(4065)]
    [InlineData(4096)]
    [InlineData(10_000)]
    [InlineData(1 << 20)]
    public void PageOrLargerRequest_ReturnsPageAlignedBlock(int size)
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)size, "Big1");
        Assert.Equal(0, p % 4096);
        new Span<byte>((void*)p, size).Fill(0x5A);
        ExFreePoolWithTag(p, "Big1");
    }

    [Theory]
    [InlineData(NonPagedPoolCacheAligned, 1)]
    [InlineData(NonPagedPoolNxCacheAligned, 100)]
    [InlineData(PagedPoolCacheAligned, 4000)]
    [InlineData(NonPagedPoolNxCacheAligned, 4030)]
    public void CacheAlignedType_Returns64ByteAlignedBlock(POOL_TYPE type, int size)
    {
        using var machine = new TestMachine();
        var blocks = new List<nint>();
        for (int i = 0; i < 70; i++)
        {
            nint p = ExAllocatePoolWithTag(type, (nuint)size, "Cach");
            Assert.Equal(0, p % 64);
            blocks.Add(p);
        }

        blocks.ForEach(ExFreePool);
    }

    [Fact]
    public void UntaggedRoutines_UseTagNone()
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePool(NonPagedPool, 32);
        nint q = ExAllocatePoolWithQuota(PagedPool, 32);

        Assert.Equal(1, machine.System.QueryPoolTag("None", paged: false).Diff);
        Assert.Equal(1, machine.System.QueryPoolTag("None", paged: true).Diff);
        ExFreePoolWithTag(p, "None");
        ExFreePoolWithTag(q, "None");
    }

    [Fact]
    public void FreedBlock_IsReusedBySameSizeRequest()
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 48, "Reus");
        ExFreePool(p);
        Assert.Equal(p, ExAllocatePoolWithTag(NonPagedPoolNx, 48, "Reus"));
    }

    [Theory]
    [InlineData(NonPagedPoolMustSucceed)]
    [InlineData(NonPagedPoolCacheAlignedMustS)]
    [InlineData(NonPagedPoolMustSucceedSession)]
    public void MustSucceedType_BugChecks0x9A(POOL_TYPE type)
    {
        using var machine = new TestMachine();
        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x9A, () => ExAllocatePoolWithTag(type, 64, "Must"));
        Assert.Equal((ulong)type, bugCheck.Parameter2);
        Assert.Equal(64UL, bugCheck.Parameter3);
        Assert.Equal(((PoolTag)"Must").Value, bugCheck.Parameter4);
    }

    [Fact]
    public void TagZero_BugChecks0x9B()
    {
        using var machine = new TestMachine();
        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x9B, () => ExAllocatePoolWithTag(PagedPool, 10, default));
        Assert.Equal((ulong)PagedPool, bugCheck.Parameter2);
        Assert.Equal(10UL, bugCheck.Parameter3);
    }

    [Fact]
    public void TagBig_BugChecks0x9C()
    {
        using var machine = new TestMachine();
        BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x9C, () => ExAllocatePoolWithTag(PagedPool, 10, "BIG "));
    }

    [Theory]
    [InlineData("    ")]
    [InlineData("-_!")]
    public void TagWithoutLetterOrDigit_BugChecks0x9D(string tag)
    {
        using var machine = new TestMachine();
        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x9D, () => ExAllocatePoolWithTag(PagedPool, 10, tag));
        Assert.Equal(((PoolTag)tag).Value, bugCheck.Parameter2);
    }

    [Fact]
    public void ProtectedTag_AllocatesAndAccountsUnderBareTag()
    {
        using var machine = new TestMachine();
        PoolTag protectedTag = ((PoolTag)"Prot").Value | PoolTag.PROTECTED_POOL;
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 40, protectedTag);
        Assert.Equal(1, machine.System.QueryPoolTag("Prot", paged: false).Diff);
        ExFreePoolWithTag(p, protectedTag);
        Assert.Equal(0, machine.System.QueryPoolTag("Prot", paged: false).Diff);
    }

    [Fact]
    public void ZeroByteRequest_WithoutVerifier_IsTreatedAsOneByte()
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 0, "Zero");
        Assert.NotEqual(0, p);
        Assert.Equal(1, machine.System.QueryPoolTag("Zero", paged: false).Bytes);
        ExFreePool(p);
    }

    [Fact]
    public void ColdAllocationModifier_IsAcceptedAndStoredWithType()
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePoolWithTag(PagedPool | POOL_COLD_ALLOCATION, 64, "Cold");
        Assert.Equal(1, machine.System.QueryPoolTag("Cold", paged: true).Diff);
        ExFreePool(p);
    }
}
