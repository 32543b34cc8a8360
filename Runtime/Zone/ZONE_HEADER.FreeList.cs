using System;
using System.Runtime.CompilerServices;

namespace PoolAnalyzers.Runtime;

// The zone's segments and free list. Segments are kept sorted by address (they never overlap), so a
// block is found by binary search; allocate and free flip a bit and move a link, allocating nothing.
public sealed partial class ZONE_HEADER
{
    private ZoneSegment[] _segments = [];
    private ZoneSegment? _lastFound;

    // The block whose link became the free list's head at the last pop: named when that head is bad.
    private nint _linkSource;

    /// <summary>Forgets every segment and block: the start of <c>ExInitializeZone</c>.</summary>
    internal void Reset(uint blockSize)
    {
        BlockSize = blockSize;
        FreeList = 0;
        SegmentList = 0;
        TotalSegmentSize = 0;
        _segments = [];
        _lastFound = null;
        ResetCaches();
    }

    /// <summary>True when [<paramref name="segment"/>, +<paramref name="segmentSize"/>) shares memory with a segment of the zone.</summary>
    internal bool Overlaps(nint segment, uint segmentSize)
    {
        foreach (ZoneSegment existing in _segments)
        {
            if (existing.Overlaps(segment, segmentSize))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Links <paramref name="segment"/> at the head of the segment list and carves it from offset 16
    /// while offset ≤ size − BlockSize, pushing each block (so the highest comes out first).
    /// </summary>
    internal unsafe void Carve(nint segment, uint segmentSize)
    {
        // ZONE_SEGMENT_HEADER: SegmentList.Next (the older segment), then Reserved (NULL).
        nint* header = (nint*)segment;
        header[0] = SegmentList;
        header[1] = 0;
        SegmentList = segment;

        // Blocks from offset 16 while offset <= size - BlockSize: (size - 16) / BlockSize of them, fewer
        // than 2^29 as BlockSize >= 8; each offset stays below size, so 32 bits never wrap.
        uint blocks = (segmentSize - SegmentHeaderSize) / BlockSize;
        var record = new ZoneSegment(segment, segmentSize, BlockSize, blocks);
        nint free = FreeList;
        for (int i = 0; i < (int)blocks; i++)
        {
            nint block = segment + (nint)(SegmentHeaderSize + ((uint)i * BlockSize));
            *(nint*)block = free;
            free = block;
            record.MarkFree(i);
        }

        FreeList = free;
        TotalSegmentSize += SegmentHeaderSize + (blocks * BlockSize);
        Insert(record);
    }

    /// <summary>Pops the first free block, or returns 0 when the zone is full.</summary>
    /// <exception cref="InvalidOperationException">The head of the free list is not a free block of this zone (a free block's link was overwritten); nothing is popped.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe nint Pop(string routine)
    {
        nint block = FreeList;
        if (block == 0)
        {
            return 0;
        }

        // The head came from a push (checked there) or from the link inside the block popped before,
        // which lives in caller memory: a write after free can turn it into a wild pointer, or into a
        // block already handed out (a cycle). Both fail this test, and nothing is taken.
        int index = Locate(block, out ZoneSegment? segment);
        if (index < 0 || !segment!.TryMarkAllocated(index))
        {
            throw BadHead(routine, block);
        }

        FreeList = *(nint*)block;
        _linkSource = block;
        return block;
    }

    /// <summary>Pushes <paramref name="block"/> on the free list and returns the previous head.</summary>
    /// <exception cref="ArgumentException"><paramref name="block"/> is not a block of this zone, or is already free.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe nint Push(nint block, string routine)
    {
        int index = Locate(block, out ZoneSegment? segment);
        if (index < 0 || !segment!.TryMarkFree(index))
        {
            throw BadPush(routine, block, index);
        }

        nint previous = FreeList;
        *(nint*)block = previous;
        FreeList = block;
        return previous;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private InvalidOperationException BadHead(string routine, nint block)
        => new($"{routine}: the zone's first free block 0x{block:X} is not a free block of this zone; it came from the link in block 0x{_linkSource:X}, which was written after it was freed. Nothing is allocated.");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ArgumentException BadPush(string routine, nint block, int index)
        => index < 0
            ? new ArgumentException(
                $"{routine}: 0x{block:X} is not a block of this zone (every block starts 16 + n·{BlockSize} bytes into one of its segments). The zone is unchanged.",
                "Block")
            : new ArgumentException(
                $"{routine}: block 0x{block:X} is already free (double free); pushing it again would put it on the free list twice. The zone is unchanged.",
                "Block");

    /// <summary>The block index of <paramref name="address"/> in its segment, or -1 when no block of the zone begins there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Locate(nint address, out ZoneSegment? segment)
    {
        segment = Find(address);
        return segment is null ? -1 : segment.IndexOf(address);
    }

    /// <summary>The segment whose memory holds <paramref name="address"/>, or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ZoneSegment? Find(nint address)
    {
        // Consecutive blocks nearly always share a segment (most zones have only one).
        ZoneSegment? last = _lastFound;
        if (last is not null && (nuint)address - (nuint)last.Start < last.Size)
        {
            return last;
        }

        return SearchAndRemember(address);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ZoneSegment? SearchAndRemember(nint address)
    {
        ZoneSegment? found = Search(address);
        if (found is not null)
        {
            _lastFound = found;
        }

        return found;
    }

    private ZoneSegment? Search(nint address)
    {
        int low = 0;
        int high = _segments.Length - 1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            ZoneSegment segment = _segments[middle];
            if ((nuint)address < (nuint)segment.Start)
            {
                high = middle - 1;
            }
            else if ((nuint)address - (nuint)segment.Start >= segment.Size)
            {
                low = middle + 1;
            }
            else
            {
                return segment;
            }
        }

        return null;
    }

    private void Insert(ZoneSegment record)
    {
        // Copy-on-grow keeps the array exact-size; extensions are rare and never on the block path.
        var next = new ZoneSegment[_segments.Length + 1];
        int at = 0;
        while (at < _segments.Length && (nuint)_segments[at].Start < (nuint)record.Start)
        {
            next[at] = _segments[at];
            at++;
        }

        next[at] = record;
        Array.Copy(_segments, at, next, at + 1, _segments.Length - at);
        _segments = next;
    }
}
