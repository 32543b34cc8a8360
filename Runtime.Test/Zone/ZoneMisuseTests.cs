using System;
using System.Runtime.InteropServices;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.KIRQL;
using static PoolAnalyzers.Runtime.NTSTATUS;

namespace PoolAnalyzers.Runtime.Test.Zone;

// Bad input to a zone gets an exception or a status and leaves the zone exactly as it was.
public sealed unsafe class ZoneMisuseTests : IDisposable
{
    private const uint Block = 32;
    private const uint FourBlocks = 16 + (4 * Block);

    private readonly nint _memory;
    private readonly ZONE_HEADER _zone = new();

    public ZoneMisuseTests()
    {
        _memory = (nint)NativeMemory.AlignedAlloc(4096, 16);
        new Span<byte>((void*)_memory, 4096).Fill(0xEE);
        Assert.Equal(STATUS_SUCCESS, ExInitializeZone(_zone, Block, _memory, FourBlocks));
    }

    public void Dispose() => NativeMemory.AlignedFree((void*)_memory);

    [Fact]
    public void ZoneOfMoreThan64Blocks_KeepsEveryBlocksFreeBit_AcrossItsBitmapWords()
    {
        // 200 blocks of 8 bytes: bits in the first word and in two words after it.
        const uint blocks = 200;
        var zone = new ZONE_HEADER();
        nint segment = (nint)NativeMemory.AlignedAlloc(16 + (blocks * 8), 16);
        try
        {
            Assert.Equal(STATUS_SUCCESS, ExInitializeZone(zone, 8, segment, 16 + (blocks * 8)));
            var taken = new System.Collections.Generic.HashSet<nint>();
            for (int i = 0; i < blocks; i++)
            {
                Assert.True(taken.Add(ExAllocateFromZone(zone)));
            }

            Assert.True(ExIsFullZone(zone));
            Assert.Equal(0, ExAllocateFromZone(zone));

            // A double free is refused in every word, and the zone takes each block back exactly once.
            foreach (int index in (int[])[0, 63, 64, 127, 128, 199])
            {
                nint block = segment + 16 + (index * 8);
                ExFreeToZone(zone, block);
                Assert.Throws<ArgumentException>(() => ExFreeToZone(zone, block));
                Assert.Equal(block, ExAllocateFromZone(zone));
            }

            foreach (nint block in taken)
            {
                ExFreeToZone(zone, block);
            }

            Assert.Throws<ArgumentException>(() => ExFreeToZone(zone, segment + 16 + (150 * 8)));
        }
        finally
        {
            NativeMemory.AlignedFree((void*)segment);
        }
    }

    [Fact]
    public void DoubleFree_ThrowsArgumentException_AndLeavesTheFreeListIntact()
    {
        nint a = ExAllocateFromZone(_zone);
        nint b = ExAllocateFromZone(_zone);
        ExFreeToZone(_zone, a);
        ExFreeToZone(_zone, b);

        ArgumentException error = Assert.Throws<ArgumentException>(() => ExFreeToZone(_zone, a));

        Assert.Equal("Block", error.ParamName);
        Assert.Contains("already free (double free)", error.Message, StringComparison.Ordinal);
        Assert.Equal(b, _zone.FreeList);
        Assert.Equal(a, *(nint*)b);
        AssertDrainsDistinct(4);
    }

    [Fact]
    public void DoubleFreeOfTheHead_IsRefused_InsteadOfLinkingTheBlockToItself()
    {
        nint a = ExAllocateFromZone(_zone);
        nint next = _zone.FreeList;
        ExFreeToZone(_zone, a);

        Assert.Throws<ArgumentException>(() => ExFreeToZone(_zone, a));

        Assert.Equal(a, _zone.FreeList);
        Assert.Equal(next, *(nint*)a);
        AssertDrainsDistinct(4);
    }

    [Fact]
    public void FreeOfABlockNeverAllocated_IsADoubleFree()
    {
        nint neverAllocated = _memory + 16;

        ArgumentException error = Assert.Throws<ArgumentException>(() => ExFreeToZone(_zone, neverAllocated));

        Assert.Contains("already free", error.Message, StringComparison.Ordinal);
        AssertDrainsDistinct(4);
    }

    [Theory]
    [InlineData(0)]                         // NULL
    [InlineData(8)]                         // inside the segment header
    [InlineData(16 + 8)]                    // inside a block
    [InlineData(16 + (4 * 32))]             // just past the last block
    [InlineData(2048)]                      // outside every segment
    public void FreeOfAnAddressThatIsNotABlock_ThrowsArgumentException_AndChangesNothing(int offset)
    {
        for (int i = 0; i < 4; i++)
        {
            ExAllocateFromZone(_zone);
        }

        nint address = offset == 0 ? 0 : _memory + offset;

        ArgumentException error = Assert.Throws<ArgumentException>(() => ExFreeToZone(_zone, address));

        Assert.Contains("is not a block of this zone", error.Message, StringComparison.Ordinal);
        Assert.True(ExIsFullZone(_zone));
    }

    [Fact]
    public void FreeIntoTheUnusedTailOfASegment_IsNotABlock()
    {
        var zone = new ZONE_HEADER();
        nint segment = _memory + 1024;

        // 150 bytes: blocks at 16, 48, 80, 112; bytes 144-149 are tail the zone owns but never carved.
        ExInitializeZone(zone, Block, segment, 150);

        Assert.Throws<ArgumentException>(() => ExFreeToZone(zone, segment + 144));
        Assert.Equal(segment + 112, zone.FreeList);
    }

    [Fact]
    public void InterlockedDoubleFree_ThrowsArgumentException_ReleasesTheLockAndRestoresTheIrql()
    {
        var spinLock = new KSPIN_LOCK();
        nint a = ExInterlockedAllocateFromZone(_zone, spinLock);
        ExInterlockedFreeToZone(_zone, a, spinLock);

        ArgumentException error = Assert.Throws<ArgumentException>(() => ExInterlockedFreeToZone(_zone, a, spinLock));

        Assert.Contains("ExInterlockedFreeToZone", error.Message, StringComparison.Ordinal);
        Assert.False(spinLock.IsHeld);
        Assert.Equal(PASSIVE_LEVEL, Ke.KeGetCurrentIrql());
        Assert.Throws<ArgumentException>(() => ExInterlockedFreeToZone(_zone, _memory + 20, spinLock));
        Assert.False(spinLock.IsHeld);
        AssertDrainsDistinct(4);
    }

    [Fact]
    public void BlockOfAnotherZone_IsNotABlockOfThisOne()
    {
        var other = new ZONE_HEADER();
        ExInitializeZone(other, Block, _memory + 1024, FourBlocks);
        nint foreign = ExAllocateFromZone(other);

        Assert.Throws<ArgumentException>(() => ExFreeToZone(_zone, foreign));

        ExFreeToZone(other, foreign);
        Assert.Equal(foreign, other.FreeList);
        AssertDrainsDistinct(4);
    }

    [Fact]
    public void Reinitialization_ForgetsTheOldSegments()
    {
        nint old = ExAllocateFromZone(_zone);
        Assert.Equal(STATUS_SUCCESS, ExInitializeZone(_zone, Block, _memory + 1024, FourBlocks));

        Assert.Throws<ArgumentException>(() => ExFreeToZone(_zone, old));
        Assert.Equal(STATUS_SUCCESS, ExExtendZone(_zone, _memory, FourBlocks));
        AssertDrainsDistinct(8);
    }

    [Theory]
    [InlineData(0, FourBlocks)]             // the same segment again
    [InlineData(0, 64u)]                    // its start
    [InlineData(48, 256u)]                  // its middle and beyond
    [InlineData(-64, 128u)]                 // starts before it, ends inside it
    [InlineData(-64, 512u)]                 // covers it
    public void ExtendOverlappingTheZone_ReturnsUnsuccessful_AndWritesNothing(int offset, uint size)
    {
        var zone = new ZONE_HEADER();
        nint first = _memory + 1024;
        ExInitializeZone(zone, Block, first, FourBlocks);
        byte[] before = new Span<byte>((void*)_memory, 4096).ToArray();

        Assert.Equal(STATUS_UNSUCCESSFUL, ExExtendZone(zone, first + offset, size));

        Assert.True(new Span<byte>((void*)_memory, 4096).SequenceEqual(before), "a refused extension wrote into memory");
        Assert.Equal(first, zone.SegmentList);
        Assert.Equal(FourBlocks, zone.TotalSegmentSize);
        Assert.Equal(4, Drain(zone));
    }

    [Fact]
    public void ExtendOverlappingTheUnusedTailOfASegment_ReturnsUnsuccessful()
    {
        var zone = new ZONE_HEADER();
        nint first = _memory + 1024;

        // The zone owns all 150 bytes, even the 6-byte tail it could not carve.
        ExInitializeZone(zone, Block, first, 150);

        Assert.Equal(STATUS_UNSUCCESSFUL, ExExtendZone(zone, first + 144, 256));
        Assert.Equal(STATUS_SUCCESS, ExExtendZone(zone, first + 152, 256));
    }

    [Fact]
    public void ExtendRightAfterTheLastByte_Succeeds()
    {
        Assert.Equal(STATUS_SUCCESS, ExExtendZone(_zone, _memory + (nint)FourBlocks, FourBlocks));
        Assert.Equal(STATUS_SUCCESS, ExExtendZone(_zone, _memory + 2048, FourBlocks));
        Assert.Equal(STATUS_UNSUCCESSFUL, ExExtendZone(_zone, _memory + 2048 + 64, FourBlocks));

        AssertDrainsDistinct(12);
    }

    [Fact]
    public void InterlockedExtendWithTheSameSegment_ReturnsUnsuccessful_AndReleasesTheLock()
    {
        var spinLock = new KSPIN_LOCK();
        Assert.Equal(STATUS_SUCCESS, ExInterlockedExtendZone(_zone, _memory + 1024, FourBlocks, spinLock));

        Assert.Equal(STATUS_UNSUCCESSFUL, ExInterlockedExtendZone(_zone, _memory + 1024, FourBlocks, spinLock));

        Assert.False(spinLock.IsHeld);
        Assert.Equal(PASSIVE_LEVEL, Ke.KeGetCurrentIrql());
        Assert.Equal(2 * FourBlocks, _zone.TotalSegmentSize);
        AssertDrainsDistinct(8);
    }

    [Fact]
    public void BlocksOfEverySegment_CanBeFreed_AndNoneTwice()
    {
        nint second = _memory + 2048;
        ExExtendZone(_zone, second, FourBlocks);
        nint[] blocks = new nint[8];
        for (int i = 0; i < blocks.Length; i++)
        {
            blocks[i] = ExAllocateFromZone(_zone);
        }

        foreach (nint block in blocks)
        {
            ExFreeToZone(_zone, block);
        }

        foreach (nint block in blocks)
        {
            Assert.Throws<ArgumentException>(() => ExFreeToZone(_zone, block));
        }

        AssertDrainsDistinct(8);
    }

    [Fact]
    public void FreeBlockOverwrittenWithAWildLink_IsReportedAtTheAllocationAfterIt_WhichTakesNothing()
    {
        nint head = _zone.FreeList;
        nint wild = _memory + 3000;
        *(nint*)head = wild;

        // The overwritten block itself is whole; its link becomes the head, and the next allocation
        // finds that head is no free block of the zone.
        Assert.Equal(head, ExAllocateFromZone(_zone));
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => ExAllocateFromZone(_zone));

        Assert.Contains("written after it was freed", error.Message, StringComparison.Ordinal);
        Assert.Contains($"0x{head:X}", error.Message, StringComparison.Ordinal);
        Assert.Equal(wild, _zone.FreeList);
        Assert.Throws<InvalidOperationException>(() => ExAllocateFromZone(_zone));
    }

    [Fact]
    public void AFreeBlockLinkedToItself_IsDetectedOnTheAllocationAfterIt()
    {
        nint head = _zone.FreeList;
        *(nint*)head = head;

        Assert.Equal(head, ExAllocateFromZone(_zone));
        Assert.Throws<InvalidOperationException>(() => ExAllocateFromZone(_zone));
        Assert.Equal(head, _zone.FreeList);
    }

    [Fact]
    public void AFreeBlockLinkedToABlockInUse_IsDetectedBeforeThatBlockIsHandedOutTwice()
    {
        nint inUse = ExAllocateFromZone(_zone);
        nint head = _zone.FreeList;
        *(nint*)head = inUse;

        Assert.Equal(head, ExAllocateFromZone(_zone));
        Assert.Throws<InvalidOperationException>(() => ExAllocateFromZone(_zone));
        Assert.Equal(inUse, _zone.FreeList);
    }

    [Fact]
    public void InterlockedAllocationOfAnOverwrittenBlock_ReleasesTheLockAndRestoresTheIrql()
    {
        var spinLock = new KSPIN_LOCK();
        using var raised = IrqlScope.Raise(APC_LEVEL);
        *(nint*)_zone.FreeList = 1;
        Assert.NotEqual(0, ExInterlockedAllocateFromZone(_zone, spinLock));

        Assert.Throws<InvalidOperationException>(() => ExInterlockedAllocateFromZone(_zone, spinLock));

        Assert.False(spinLock.IsHeld);
        Assert.Equal(APC_LEVEL, Ke.KeGetCurrentIrql());
    }

    [Fact]
    public void SegmentThatWouldWrapTheAddressSpace_ReturnsUnsuccessful()
    {
        var zone = new ZONE_HEADER();
        nint top = unchecked((nint)0xFFFF_FFFF_FFFF_FF00);

        Assert.Equal(STATUS_UNSUCCESSFUL, ExInitializeZone(zone, Block, top, 512));
        Assert.False(zone.IsInitialized);
        Assert.Equal(STATUS_UNSUCCESSFUL, ExExtendZone(_zone, top, 512));
    }

    private void AssertDrainsDistinct(int expected)
    {
        var seen = new System.Collections.Generic.HashSet<nint>();
        for (nint block = ExAllocateFromZone(_zone); block != 0; block = ExAllocateFromZone(_zone))
        {
            Assert.True(seen.Add(block), $"block 0x{block:X} came out twice");
        }

        Assert.Equal(expected, seen.Count);
    }

    private static int Drain(ZONE_HEADER zone)
    {
        int blocks = 0;
        while (ExAllocateFromZone(zone) != 0)
        {
            blocks++;
        }

        return blocks;
    }
}
