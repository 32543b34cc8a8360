using System;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Pool;

public sealed unsafe class PoolFreeTests
{
    private static readonly PoolTag Mine = "Mine";
    private static readonly PoolTag Your = "Your";

    [Theory]
    [InlineData(64)]
    [InlineData(8192)]
    public void FreeWithOtherTag_BugChecks0x0AWithAddressAndBothTags(int size)
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)size, Mine);

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x0A, () => ExFreePoolWithTag(p, Your));

        Assert.Equal((ulong)p, bugCheck.Parameter2);
        Assert.Equal(Mine.Value, bugCheck.Parameter3);
        Assert.Equal(Your.Value, bugCheck.Parameter4);
        Assert.Equal("BAD_POOL_CALLER (0xC2): freed with tag 'Your', allocated with 'Mine'", bugCheck.Message);
        ExFreePoolWithTag(p, Mine);
    }

    [Fact]
    public void FreeWithTagZero_SkipsTagCheck()
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, Mine);
        ExFreePoolWithTag(p, default);
        Assert.Equal(0, machine.System.QueryPoolTag(Mine, paged: false).Diff);
    }

    [Fact]
    public void ProtectedBlock_FreedWithoutTag_BugChecks0x0A()
    {
        using var machine = new TestMachine();
        PoolTag protectedTag = Mine.Value | PoolTag.PROTECTED_POOL;
        nint p = ExAllocatePoolWithTag(PagedPool, 64, protectedTag);

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x0A, () => ExFreePool(p));

        Assert.Equal(protectedTag.Value, bugCheck.Parameter3);
        Assert.Equal(0UL, bugCheck.Parameter4);
        Assert.Contains("protected tag 'Mine'", bugCheck.Message, StringComparison.Ordinal);
        ExFreePoolWithTag(p, protectedTag);
    }

    [Fact]
    public void ProtectedBlock_FreedWithBareTag_Succeeds()
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePoolWithTag(PagedPool, 64, Mine.Value | PoolTag.PROTECTED_POOL);
        ExFreePoolWithTag(p, Mine);
        Assert.Equal(0, machine.System.QueryPoolTag(Mine, paged: true).Diff);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(5000)]
    public void DoubleFree_BugChecks0x07(int size)
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)size, Mine);
        ExFreePool(p);

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x07, () => ExFreePool(p));
        Assert.Equal((ulong)p, bugCheck.Parameter4);
        Assert.Contains("freed twice", bugCheck.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FreeOfManagedOrStackAddress_BugChecks0x42WithoutTouchingIt()
    {
        using var machine = new TestMachine();
        byte local = 0;
        nint stackAddress = (nint)(&local);

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x42, () => ExFreePool(stackAddress));
        Assert.Equal((ulong)stackAddress, bugCheck.Parameter2);
    }

    [Fact]
    public void FreeOfUnmappedAddress_BugChecks0x42()
    {
        using var machine = new TestMachine();
        BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x42, () => ExFreePool(0x10));
        BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x42, () => ExFreePool(unchecked((nint)0xFFFF_8000_0000_1000)));
    }

    [Fact]
    public void FreeOfNull_BugChecks0x42WithAddressZero()
    {
        using var machine = new TestMachine();
        nint big = ExAllocatePoolWithTag(NonPagedPoolNx, 3 * 4096, Mine);
        ExFreePool(big);

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x42, () => ExFreePool(0));
        Assert.Equal(0UL, bugCheck.Parameter2);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(-16)]
    [InlineData(4096)]
    public void FreeOfAddressInsidePoolButNotABlock_BugChecks0x46(int delta)
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, Mine);

        // Inside the chunk the pool owns: an interior pointer, a header, or an uncarved page.
        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x46, () => ExFreePool(p + delta));
        Assert.Equal((ulong)(p + delta), bugCheck.Parameter2);
        ExFreePool(p);
    }

    [Fact]
    public void FreeOfInteriorOfLiveBigBlock_BugChecks0x46_NamingTheBlock()
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 8192, "Fred");

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x46, () => ExFreePool(p + 4096));

        Assert.Equal((ulong)(p + 4096), bugCheck.Parameter2);
        Assert.Contains($"4096 bytes inside the 8192-byte block at 0x{(ulong)p:X} tagged 'Fred'", bugCheck.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("never in any pool", bugCheck.Message, StringComparison.Ordinal);
        ExFreePool(p);
    }

    [Fact]
    public void FreeOfAddressNearNoLiveBlock_StillSaysNeverInAnyPool()
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 8192, "Fred");
        ExFreePool(p);

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x42, () => ExFreePool(p + 4096));
        Assert.Contains("never in any pool", bugCheck.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FreeAfterMachineDisposed_ThrowsObjectDisposed()
    {
        var system = new KernelSystem();
        nint p;
        using (system.Enter())
        {
            p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, Mine);
            system.Dispose();
            Assert.Throws<ObjectDisposedException>(() => ExFreePool(p));
        }
    }
}
