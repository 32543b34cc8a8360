using System.Collections.Generic;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Corruption;

/// <summary>
/// Writes into freed small blocks (use after free) and into the headers of free neighbours (overruns):
/// the pool reports the damage before it would hand the block out, never follows or hands out a
/// damaged block, and keeps working. Each runs in a child process, so a regression that followed
/// a damaged value fails the test instead of crashing the test host.
/// </summary>
public sealed unsafe class FreedBlockCorruptionTests
{
    private static readonly PoolTag Tag = "Uaf ";

    [Fact]
    public void WriteIntoAFreedBlocksListEntry_BugChecks0x19_0x3_WithTheReadBackValues_AndTheBlockIsNeverHandedOut()
        => ChildProcess.Run(ListEntryOverwritten);

    [Fact]
    public void FreedBlockLinkedToALiveBlock_NeverHandsTheLiveBlockOutTwice()
        => ChildProcess.Run(ListEntryPointedAtALiveBlock);

    [Fact]
    public void OverrunIntoAFreeNeighboursHeader_BugChecks0x19_0xD_WhenTheNeighbourWouldBeHandedOut()
        => ChildProcess.Run(FreeNeighbourHeaderOverrun);

    private static void ListEntryOverwritten()
    {
        using var machine = new TestMachine();
        nint first = Allocate();
        nint second = Allocate();
        ExFreePool(second);
        ExFreePool(first);

        // The classic use after free: the first bytes of a freed block, where its list entry lives.
        *(nint*)first = unchecked((nint)0x4141_4141_4141);

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_HEADER, 0x3, () => Allocate());
        Assert.Equal((ulong)first, bugCheck.Parameter2);
        Assert.Equal(0x4141_4141_4141UL, bugCheck.Parameter3);
        Assert.Equal((ulong)first, bugCheck.Parameter4);
        Assert.Contains("written after it was freed", bugCheck.Message, System.StringComparison.Ordinal);

        // The damaged block is out of the pool; the next one serves, and the damaged one never comes back.
        Assert.Equal(second, Allocate());
        var handedOut = new HashSet<nint>();
        for (int i = 0; i < 1000; i++)
        {
            Assert.True(handedOut.Add(Allocate()));
        }

        Assert.DoesNotContain(first, handedOut);
    }

    private static void ListEntryPointedAtALiveBlock()
    {
        using var machine = new TestMachine();
        nint live = Allocate();
        nint freed = Allocate();
        ExFreePool(freed);

        // A write after free that makes the freed block's Flink point at a live block, as an exploit would.
        *(nint*)freed = live - 16;
        BugCheckAssert.Raises(BugCheckNames.BAD_POOL_HEADER, 0x3, () => Allocate());

        var handedOut = new HashSet<nint> { live };
        for (int i = 0; i < 1000; i++)
        {
            Assert.True(handedOut.Add(Allocate()), "a block was handed out while it was live");
        }
    }

    private static void FreeNeighbourHeaderOverrun()
    {
        using var machine = new TestMachine();

        // A fresh page hands out ascending addresses: 64-byte requests are 80-byte blocks side by side.
        nint overrun = Allocate();
        nint neighbour = Allocate();
        Assert.Equal(overrun + 80, neighbour);
        ExFreePool(neighbour);

        // 72 bytes into a 64-byte block: the last 8 land on the free neighbour's header.
        new System.Span<byte>((void*)overrun, 72).Fill(0x41);

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.BAD_POOL_HEADER, 0xD, () => Allocate());
        Assert.Equal((ulong)(neighbour - 16), bugCheck.Parameter2);
        Assert.Equal(0x4141_4141_4141_4141UL, bugCheck.Parameter3);
        Assert.Contains("modified after the free", bugCheck.Message, System.StringComparison.Ordinal);

        // The pool goes on with fresh blocks; the damaged neighbour is never handed out.
        var handedOut = new HashSet<nint>();
        for (int i = 0; i < 1000; i++)
        {
            Assert.True(handedOut.Add(Allocate()));
        }

        Assert.DoesNotContain(neighbour, handedOut);
    }

    private static nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, Tag);
}
