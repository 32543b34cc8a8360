namespace PoolAnalyzers.Runtime;

/// <summary>
/// One block size of one pool (paged or nonpaged, plain or cache-aligned): how its pages are carved
/// and the shared list that per-thread caches overflow into and refill from.
/// </summary>
internal sealed unsafe class SizeClass
{
    /// <summary>Entries per pool group in the class index: units 0..256.</summary>
    public const int PerGroup = PoolLayout.MaxUnits + 1;

    /// <summary>Four groups: nonpaged, nonpaged cache-aligned, paged, paged cache-aligned.</summary>
    public const int Count = 4 * PerGroup;

    // The shared list is touched only when a thread cache runs dry or overflows, in batches, so a
    // plain lock is cheaper overall than a lock-free stack (which would need ABA protection).
    private readonly object _lock = new();
    private nint _head;

    public SizeClass(int index)
    {
        Units = index % PerGroup;
        IsPaged = index / PerGroup >= 2;
        IsCacheAligned = (index / PerGroup & 1) != 0;
        Stride = Units * PoolLayout.UnitSize;

        // Cache-aligned blocks start 48 bytes into the page so header + 16 is on a 64-byte line.
        FirstOffset = IsCacheAligned ? PoolLayout.CacheLine - PoolHeader.Size : 0;
        BlocksPerPage = (PoolLayout.PageSize - FirstOffset) / Stride;

        Layout = new BlockLayout(index, FirstOffset, Stride, BlocksPerPage);
    }

    /// <summary>The page geometry Free validates addresses against; copied into the page map of each page carved for this class.</summary>
    public BlockLayout Layout { get; }

    public int Units { get; }

    public int Stride { get; }

    public int FirstOffset { get; }

    public int BlocksPerPage { get; }

    public bool IsPaged { get; }

    public bool IsCacheAligned { get; }

    public static int IndexOf(bool paged, bool cacheAligned, int units)
        => (((paged ? 2 : 0) + (cacheAligned ? 1 : 0)) * PerGroup) + units;

    /// <summary>Moves a linked list of free blocks, <paramref name="first"/> to <paramref name="last"/>, onto the shared list.</summary>
    public void PushList(nint first, nint last)
    {
        lock (_lock)
        {
            ThreadCache.FreeList.NextOf(last) = _head;
            _head = first;
        }
    }

    /// <summary>Takes up to <paramref name="max"/> blocks; returns the first (linked through their bodies) and how many.</summary>
    public nint PopBatch(int max, out int taken)
    {
        lock (_lock)
        {
            nint first = _head;
            nint last = 0;
            nint cursor = first;
            taken = 0;
            while (cursor != 0 && taken < max)
            {
                last = cursor;
                cursor = ThreadCache.FreeList.NextOf(cursor);
                taken++;
            }

            if (last != 0)
            {
                ThreadCache.FreeList.NextOf(last) = 0;
            }

            _head = cursor;
            return first;
        }
    }
}

/// <summary>Where the blocks of one size class start in their pages; the default value (an unused page) matches nothing.</summary>
internal readonly struct BlockLayout
{
    /// <summary>The size class index (0 for an unused page).</summary>
    public readonly int ClassIndex;

    private readonly int _firstOffset;
    private readonly uint _span;
    private readonly uint _stride;

    // Precomputed for FastMod: validating a freed address needs "offset % stride" on the hot path,
    // and a multiply-shift is several times cheaper than a hardware divide.
    private readonly ulong _modMultiplier;

    public BlockLayout(int classIndex, int firstOffset, int stride, int blocksPerPage)
    {
        ClassIndex = classIndex;
        _firstOffset = firstOffset;
        _stride = (uint)stride;
        _span = (uint)(stride * blocksPerPage);
        _modMultiplier = (ulong.MaxValue / (uint)stride) + 1;
    }

    /// <summary>True when <paramref name="offsetInPage"/> is where a header of this class starts (false for the default layout).</summary>
    public bool IsBlockStart(int offsetInPage)
    {
        uint rel = (uint)(offsetInPage - _firstOffset);
        if (rel >= _span)
        {
            return false;
        }

        // Lemire's FastMod, exact for 32-bit operands.
        uint remainder = (uint)(((((_modMultiplier * rel) >> 32) + 1) * _stride) >> 32);
        return remainder == 0;
    }
}
