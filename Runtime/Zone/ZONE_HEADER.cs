using System;
using System.Runtime.CompilerServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// A zone buffer: fixed-size blocks carved from caller-provided segments. Caller-allocated and
/// initialized with <c>ExInitializeZone</c>. Zones are obsolete; lookaside lists replace them.
/// </summary>
/// <remarks>
/// As in the kernel, the bookkeeping lives in the caller's memory: each segment starts with a
/// 16-byte ZONE_SEGMENT_HEADER (its first 8 bytes link the segments), and every free block's first
/// 8 bytes hold the address of the next free block. This object keeps the two list heads and the
/// sizes, plus a record of every segment and a free bit per block, which the kernel does not keep:
/// with them a foreign block, a double free, an overlapping extension or a free-list link
/// overwritten after a free is refused with an exception instead of corrupting the zone. The
/// non-interlocked routines are not thread-safe; the <c>ExInterlocked…Zone</c> routines serialize
/// through a caller's spin lock.
/// <para>
/// The interlocked allocate and free keep a few blocks per thread in a cache of the thread's own
/// and use it without the lock while the lock is free; the zone takes the caches back before it
/// reports exhaustion and whenever a routine needs the whole zone, so every routine sees what the
/// kernel's would (docs/runtime-corruption-and-hygiene.md, "Per-thread zone caches").
/// </para>
/// </remarks>
public sealed partial class ZONE_HEADER
{
    /// <summary>Creates an uninitialized zone header; <c>ExInitializeZone</c> makes it usable.</summary>
    public ZONE_HEADER()
    {
        _caches = new PerThreadCaches<ZoneMagazine>(Drain);
    }

    /// <summary>Size of the ZONE_SEGMENT_HEADER that begins each segment.</summary>
    public const uint SegmentHeaderSize = 16;

    /// <summary>The first free block on the zone's shared list (FreeList.Next), or 0 when that list is empty.</summary>
    /// <remarks>Blocks the interlocked routines keep in per-thread caches are not on this list; <c>ExIsFullZone</c> counts them.</remarks>
    public nint FreeList { get; internal set; }

    /// <summary>The most recently added segment (SegmentList.Next), or 0 before initialization.</summary>
    public nint SegmentList { get; internal set; }

    /// <summary>The size of every block in bytes (a multiple of 8).</summary>
    public uint BlockSize { get; internal set; }

    /// <summary>The bytes of all segments in use: per segment 16 + blocks·<see cref="BlockSize"/>.</summary>
    public uint TotalSegmentSize { get; internal set; }

    /// <summary>True once <c>ExInitializeZone</c> has succeeded on this header.</summary>
    public bool IsInitialized => BlockSize != 0;

    /// <summary>
    /// The machine the zone was initialized on. Its Dispose makes the zone unusable: the segments are
    /// usually pool memory that Dispose released, so following a link in them could crash the host.
    /// </summary>
    internal KernelSystem? Owner { get; set; }

    /// <summary>The check every zone routine after <c>ExInitializeZone</c> makes first: two loads when the zone is usable.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void ThrowIfNotInitialized(string routine)
    {
        if (!IsInitialized || Owner?.IsUnusable == true)
        {
            ThrowNotUsable(routine);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowNotUsable(string routine)
    {
        if (!IsInitialized)
        {
            throw new InvalidOperationException($"{routine}: the ZONE_HEADER was never initialized; call ExInitializeZone first and check that it returned STATUS_SUCCESS.");
        }

        Owner?.ThrowIfUnusable(routine, "its zones are unusable (their segments may have been released with its pool)");
    }
}
