using System;
using System.Collections.Generic;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// A zone buffer: fixed-size blocks carved from caller-provided segments. Caller-allocated and
/// initialized with <c>ExInitializeZone</c>. Zones are obsolete; lookaside lists replace them.
/// </summary>
/// <remarks>
/// As in the kernel, the bookkeeping lives in the caller's memory: each segment starts with a
/// 16-byte ZONE_SEGMENT_HEADER (its first 8 bytes link the segments), and every free block's first
/// 8 bytes hold the address of the next free block. This object keeps only the two list heads and
/// the sizes. The non-interlocked routines are not thread-safe; the <c>ExInterlocked…Zone</c>
/// routines serialize through a caller's spin lock.
/// </remarks>
public sealed class ZONE_HEADER
{
    /// <summary>Size of the ZONE_SEGMENT_HEADER that begins each segment.</summary>
    public const uint SegmentHeaderSize = 16;

    /// <summary>The first free block (FreeList.Next), or 0 when the zone is full.</summary>
    public nint FreeList { get; internal set; }

    /// <summary>The most recently added segment (SegmentList.Next), or 0 before initialization.</summary>
    public nint SegmentList { get; internal set; }

    /// <summary>The size of every block in bytes (a multiple of 8).</summary>
    public uint BlockSize { get; internal set; }

    /// <summary>The bytes of all segments in use: per segment 16 + blocks·<see cref="BlockSize"/>.</summary>
    public uint TotalSegmentSize { get; internal set; }

    /// <summary>True once <c>ExInitializeZone</c> has succeeded on this header.</summary>
    public bool IsInitialized => BlockSize != 0;

    // Start and carved length (16 + blocks·BlockSize) of every segment, newest last, so a freed
    // address can be checked against the zone. The kernel keeps no such record; it is what lets the
    // runtime refuse a foreign block instead of corrupting the free list.
    private readonly List<(nint Start, uint Length)> _segments = [];

    internal void ResetSegments() => _segments.Clear();

    internal void AddSegment(nint start, uint length) => _segments.Add((start, length));

    internal bool IsBlockBoundary(nint block)
    {
        foreach ((nint start, uint length) in _segments)
        {
            long offset = (long)block - start;
            if (offset >= SegmentHeaderSize && offset < length)
            {
                return (offset - SegmentHeaderSize) % BlockSize == 0;
            }
        }

        return false;
    }

    internal void ThrowIfNotInitialized(string routine)
    {
        if (!IsInitialized)
        {
            throw new InvalidOperationException($"{routine}: the ZONE_HEADER was never initialized; call ExInitializeZone first and check that it returned STATUS_SUCCESS.");
        }
    }
}
