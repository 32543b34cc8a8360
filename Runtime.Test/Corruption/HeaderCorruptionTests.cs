using System;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Corruption;

/// <summary>
/// Overwritten headers of live small blocks: a free checks the header against the page it lives in
/// and against its neighbour, refuses what does not agree (the block stays allocated, nothing is
/// refunded or counted) and never lets a header field drive the accounting. Each runs in a child process.
/// </summary>
public sealed unsafe class HeaderCorruptionTests
{
    private static readonly PoolTag Tag = "Hdr ";

    [Fact]
    public void OverrunIntoALiveNeighboursHeader_FreesOfBothBlocksAreRefused_0x19_0x5_And0x7()
        => ChildProcess.Run(LiveNeighbourOverrun);

    [Fact]
    public void HeaderStateOverwritten_FreeBugChecks0xC2_0x01_AndCountsNothing()
        => ChildProcess.Run(StateOverwritten);

    [Fact]
    public void RequestedSizeOverwritten_FreeBugChecks0xC2_0x01_AndAccountingNeverGoesNegative()
        => ChildProcess.Run(RequestedSizeOverwritten);

    [Fact]
    public void QuotaOwnerOverwritten_FreeBugChecks0xC2_0x0D_AndNoProcessIsRefunded()
        => ChildProcess.Run(QuotaOwnerOverwritten);

    [Fact]
    public void QuotaOwnerCopiedFromAnotherProcessesBlock_IsRefused_0xC2_0x0D()
        => ChildProcess.Run(QuotaOwnerCopied);

    private static void LiveNeighbourOverrun()
    {
        using var machine = new TestMachine();
        nint overrun = Allocate();
        nint neighbour = Allocate();
        Assert.Equal(overrun + 80, neighbour);

        // Two bytes past the 64-byte block's 80-byte slot: the neighbour's block size.
        *(ushort*)(overrun + 64) = 0x4141;

        BugCheckException first = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_HEADER, 0x5, () => ExFreePool(overrun));
        Assert.Equal((ulong)(overrun - 16), first.Parameter2);
        Assert.Equal((ulong)(neighbour - 16), first.Parameter4);
        Assert.Contains("probably overrun", first.Message, StringComparison.Ordinal);

        BugCheckException second = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_HEADER, 0x7, () => ExFreePool(neighbour));
        Assert.Equal((ulong)(neighbour - 16), second.Parameter4);
        Assert.Equal(0x4141UL, second.Parameter3);

        // Both frees were refused: both blocks are still counted as allocated.
        PoolTagStatistics row = machine.System.QueryPoolTag(Tag, paged: false);
        Assert.Equal((2L, 0L, 128L), (row.Allocs, row.Frees, row.Bytes));

        // Repaired, both free normally.
        *(ushort*)(overrun + 64) = 5;
        ExFreePool(overrun);
        ExFreePool(neighbour);
        Assert.Equal(0, machine.System.QueryPoolTag(Tag, paged: false).Diff);
    }

    private static void StateOverwritten()
    {
        using var machine = new TestMachine();
        nint p = Allocate();
        *(ushort*)(p - 14) = 0x0042;

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x01, () => ExFreePool(p));
        Assert.Equal((ulong)(p - 16), bugCheck.Parameter2);
        Assert.Equal(1, machine.System.QueryPoolTag(Tag, paged: false).Diff);
    }

    private static void RequestedSizeOverwritten()
    {
        using var machine = new TestMachine();
        nint p = Allocate();

        // A size larger than the block could hold would subtract more bytes than were ever counted.
        *(uint*)(p - 8) = 0x7FFF_FFFF;
        BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x01, () => ExFreePoolWithTag(p, Tag));
        *(uint*)(p - 8) = 0;
        BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x01, () => ExFreePool(p));

        PoolTagStatistics row = machine.System.QueryPoolTag(Tag, paged: false);
        Assert.Equal((1L, 0L, 64L), (row.Allocs, row.Frees, row.Bytes));
    }

    private static void QuotaOwnerOverwritten()
    {
        using var machine = new TestMachine();
        KernelProcess process = machine.System.CreateProcess("app.exe", 1 << 20, 1 << 20);
        nint p;
        using (process.Attach())
        {
            p = ExAllocatePoolWithQuotaTag(NonPagedPoolNx, 64, Tag);
        }

        Assert.Equal(80UL, process.NonPagedPoolQuotaUsage);
        uint owner = *(uint*)(p - 4);
        *(uint*)(p - 4) = 0x1234_5678;

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x0D, () => ExFreePool(p));
        Assert.Equal((ulong)p, bugCheck.Parameter2);
        Assert.Equal(Tag.Value, bugCheck.Parameter3);
        Assert.Equal(0x1234_5678UL, bugCheck.Parameter4);
        Assert.Equal(80UL, process.NonPagedPoolQuotaUsage);
        Assert.Equal(1, machine.System.QueryPoolTag(Tag, paged: false).Diff);

        // Restored, the block frees and refunds its class's size.
        *(uint*)(p - 4) = owner;
        ExFreePool(p);
        Assert.Equal(0UL, process.NonPagedPoolQuotaUsage);
    }

    private static void QuotaOwnerCopied()
    {
        using var machine = new TestMachine();
        KernelProcess a = machine.System.CreateProcess("a.exe", 1 << 20, 1 << 20);
        KernelProcess b = machine.System.CreateProcess("b.exe", 1 << 20, 1 << 20);
        nint fromA;
        nint fromB;
        using (a.Attach())
        {
            fromA = ExAllocatePoolWithQuotaTag(PagedPool, 200, Tag);
        }

        using (b.Attach())
        {
            fromB = ExAllocatePoolWithQuotaTag(PagedPool, 200, Tag);
        }

        // The owner is encoded per block: another block's value names no process here.
        *(uint*)(fromA - 4) = *(uint*)(fromB - 4);
        BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x0D, () => ExFreePool(fromA));
        Assert.Equal(224UL, a.PagedPoolQuotaUsage);
        Assert.Equal(224UL, b.PagedPoolQuotaUsage);

        ExFreePool(fromB);
        Assert.Equal(0UL, b.PagedPoolQuotaUsage);
    }

    private static nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, Tag);
}
