using System;
using System.Runtime.CompilerServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The runtime's record of one zone segment: where it lies, how many blocks it was carved into and
/// which of them are free. The kernel keeps none of this; it is what lets a zone refuse a foreign
/// block, a double free or an overlapping extension instead of corrupting its free list.
/// </summary>
internal sealed class ZoneSegment
{
    // One bit per block, set while the block is on the free list: the first 64 blocks in a field of
    // this object (the zones of most drivers have fewer, so a pop or push touches this object's line
    // and no array), the rest in an array sized once at carve time. The block paths only flip bits.
    private readonly ulong[]? _freeRest;
    private ulong _free0;

    // One bit per block, set while the block belongs to a thread's zone cache (ZoneMagazine),
    // cached or handed out from it. Written and read only under the zone's spin lock, so the
    // cached paths, which never take that lock, never touch it.
    private readonly ulong[]? _lentRest;
    private ulong _lent0;

    public ZoneSegment(nint start, uint size, uint blockSize, uint blocks)
    {
        Start = start;
        Size = size;
        BlockSize = blockSize;
        Blocks = blocks;
        _freeRest = blocks > 64 ? new ulong[(blocks - 1) / 64] : null;
        _lentRest = blocks > 64 ? new ulong[(blocks - 1) / 64] : null;
        _divideMultiplier = (ulong.MaxValue / blockSize) + 1;
    }

    // For dividing a 32-bit offset by BlockSize with one multiplication: floor(n / d) is the high
    // 64 bits of n · (2^64 / d rounded up), exact for every 32-bit n and d (Lemire, Kaser and Kurz).
    // Every allocate and free locates its block, and a hardware divide costs several times more.
    private readonly ulong _divideMultiplier;

    /// <summary>The segment's address (its ZONE_SEGMENT_HEADER).</summary>
    public nint Start { get; }

    /// <summary>The bytes the caller handed over, unused tail included: all of it belongs to the zone.</summary>
    public uint Size { get; }

    public uint BlockSize { get; }

    public uint Blocks { get; }

    /// <summary>True when [<paramref name="start"/>, <paramref name="start"/> + <paramref name="size"/>) shares a byte with this segment.</summary>
    public bool Overlaps(nint start, uint size)
        => (nuint)start < (nuint)Start + Size && (nuint)Start < (nuint)start + size;

    /// <summary>
    /// The index of the block that begins at <paramref name="address"/>, or -1 when no block begins
    /// there. The address must lie in the segment (see <see cref="ZONE_HEADER"/>'s lookup), so the
    /// offset fits 32 bits and one division (done as a multiplication) serves both the index and the boundary test.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IndexOf(nint address)
    {
        uint offset = (uint)((nuint)address - (nuint)Start);
        if (offset < ZONE_HEADER.SegmentHeaderSize)
        {
            return -1;
        }

        uint relative = offset - ZONE_HEADER.SegmentHeaderSize;
        uint index = (uint)Math.BigMul(_divideMultiplier, relative, out _);
        return index < Blocks && index * BlockSize == relative ? (int)index : -1;
    }

    /// <summary>Marks a block free as it is carved.</summary>
    public void MarkFree(int index) => Word(index) |= 1UL << index;

    /// <summary>Marks a free block allocated; false (nothing changed) when it is not free. One load and one store of its bitmap word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryMarkAllocated(int index)
    {
        ref ulong word = ref Word(index);
        ulong bit = 1UL << index;
        ulong bits = word;
        if ((bits & bit) == 0)
        {
            return false;
        }

        word = bits & ~bit;
        return true;
    }

    /// <summary>Marks an allocated block free; false (nothing changed) when it is free already. One load and one store of its bitmap word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryMarkFree(int index)
    {
        ref ulong word = ref Word(index);
        ulong bit = 1UL << index;
        ulong bits = word;
        if ((bits & bit) != 0)
        {
            return false;
        }

        word = bits | bit;
        return true;
    }

    /// <summary>True when block <paramref name="index"/> belongs to a thread's zone cache.</summary>
    public bool IsLent(int index) => (LentWord(index) & (1UL << index)) != 0;

    /// <summary>Records that block <paramref name="index"/> joins (true) or leaves (false) a thread's zone cache.</summary>
    public void SetLent(int index, bool lent)
    {
        ref ulong word = ref LentWord(index);
        word = lent ? word | (1UL << index) : word & ~(1UL << index);
    }

    /// <summary>True when block <paramref name="index"/> is on the zone's shared free list.</summary>
    public bool IsFree(int index) => (Word(index) & (1UL << index)) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref ulong LentWord(int index) => ref index < 64 ? ref _lent0 : ref _lentRest![(index >> 6) - 1];

    /// <summary>The bitmap word that holds block <paramref name="index"/>'s bit (bit <c>index % 64</c>; shifts take the count mod 64).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref ulong Word(int index) => ref index < 64 ? ref _free0 : ref _freeRest![(index >> 6) - 1];
}
