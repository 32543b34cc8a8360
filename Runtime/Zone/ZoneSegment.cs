namespace PoolAnalyzers.Runtime;

/// <summary>
/// The runtime's record of one zone segment: where it lies, how many blocks it was carved into and
/// which of them are free. The kernel keeps none of this; it is what lets a zone refuse a foreign
/// block, a double free or an overlapping extension instead of corrupting its free list.
/// </summary>
internal sealed class ZoneSegment
{
    // One bit per block, set while the block is on the free list. Sized once at carve time, so the
    // allocate and free paths only flip bits.
    private readonly ulong[] _free;

    public ZoneSegment(nint start, uint size, uint blockSize, uint blocks)
    {
        Start = start;
        Size = size;
        BlockSize = blockSize;
        Blocks = blocks;
        _free = new ulong[(blocks + 63) / 64];
    }

    /// <summary>The segment's address (its ZONE_SEGMENT_HEADER).</summary>
    public nint Start { get; }

    /// <summary>The bytes the caller handed over, unused tail included: all of it belongs to the zone.</summary>
    public uint Size { get; }

    public uint BlockSize { get; }

    public uint Blocks { get; }

    /// <summary>True when [<paramref name="start"/>, <paramref name="start"/> + <paramref name="size"/>) shares a byte with this segment.</summary>
    public bool Overlaps(nint start, uint size)
        => (nuint)start < (nuint)Start + Size && (nuint)Start < (nuint)start + size;

    /// <summary>The index of the block that begins at <paramref name="address"/>, or -1 when no block begins there.</summary>
    public long IndexOf(nint address)
    {
        long offset = (long)address - Start - ZONE_HEADER.SegmentHeaderSize;
        if (offset < 0 || offset % BlockSize != 0)
        {
            return -1;
        }

        long index = offset / BlockSize;
        return index < Blocks ? index : -1;
    }

    public bool IsFree(long index) => (_free[index >> 6] & (1UL << (int)(index & 63))) != 0;

    public void MarkFree(long index) => _free[index >> 6] |= 1UL << (int)(index & 63);

    public void MarkAllocated(long index) => _free[index >> 6] &= ~(1UL << (int)(index & 63));
}
