using System;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime;

// Zone buffers (obsolete since Windows 2000; lookaside lists replace them). The layout follows the
// kernel exactly: a 16-byte ZONE_SEGMENT_HEADER at the start of each segment, blocks carved from
// offset 16 while offset <= size - BlockSize, each pushed on a LIFO free list whose links live in
// the first 8 bytes of the free blocks.
public static partial class Ex
{
    /// <summary>
    /// Initializes <paramref name="Zone"/> over a caller-provided segment: writes the segment header at
    /// offset 0 and carves the rest into blocks of <paramref name="BlockSize"/> bytes, all free.
    /// </summary>
    /// <returns>
    /// STATUS_SUCCESS; STATUS_UNSUCCESSFUL when the segment is NULL or not 8-byte aligned, when
    /// <paramref name="BlockSize"/> is 0 or not a multiple of 8, when it exceeds the segment, or when
    /// the segment is smaller than its 16-byte header. Nothing is written on failure.
    /// </returns>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above PASSIVE_LEVEL.</exception>
    [IrqlRequiresMax(PASSIVE_LEVEL)]
    public static NTSTATUS ExInitializeZone(ZONE_HEADER Zone, uint BlockSize, nint InitialSegment, uint InitialSegmentSize)
    {
        ArgumentNullException.ThrowIfNull(Zone);
        RoutineIrql.RequireMax(PASSIVE_LEVEL, nameof(ExInitializeZone));
        if (!IsValidZoneGeometry(BlockSize, InitialSegment, InitialSegmentSize))
        {
            return NTSTATUS.STATUS_UNSUCCESSFUL;
        }

        Zone.BlockSize = BlockSize;
        Zone.FreeList = 0;
        Zone.SegmentList = 0;
        Zone.TotalSegmentSize = 0;
        Zone.ResetSegments();
        AddZoneSegment(Zone, InitialSegment, InitialSegmentSize);
        return NTSTATUS.STATUS_SUCCESS;
    }

    /// <summary>
    /// Adds a caller-provided segment to <paramref name="Zone"/>: links it at the head of the segment
    /// list and carves it into free blocks. The memory belongs to the zone for good.
    /// </summary>
    /// <returns>STATUS_SUCCESS, or STATUS_UNSUCCESSFUL for a NULL or misaligned segment, one smaller than its header, or one too small for a block.</returns>
    /// <exception cref="InvalidOperationException">The zone was never initialized.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static NTSTATUS ExExtendZone(ZONE_HEADER Zone, nint Segment, uint SegmentSize)
    {
        ArgumentNullException.ThrowIfNull(Zone);
        RoutineIrql.RequireMax(DISPATCH_LEVEL, nameof(ExExtendZone));
        Zone.ThrowIfNotInitialized(nameof(ExExtendZone));
        if (!IsValidZoneGeometry(Zone.BlockSize, Segment, SegmentSize))
        {
            return NTSTATUS.STATUS_UNSUCCESSFUL;
        }

        AddZoneSegment(Zone, Segment, SegmentSize);
        return NTSTATUS.STATUS_SUCCESS;
    }

    /// <summary><see cref="ExExtendZone"/> under <paramref name="Lock"/> (raising to DISPATCH_LEVEL while held).</summary>
    /// <returns>What <see cref="ExExtendZone"/> returns.</returns>
    /// <exception cref="InvalidOperationException">The zone was never initialized.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static NTSTATUS ExInterlockedExtendZone(ZONE_HEADER Zone, nint Segment, uint SegmentSize, KSPIN_LOCK Lock)
    {
        ArgumentNullException.ThrowIfNull(Zone);
        ArgumentNullException.ThrowIfNull(Lock);
        RoutineIrql.RequireMax(DISPATCH_LEVEL, nameof(ExInterlockedExtendZone));
        Ke.KeAcquireSpinLock(Lock, out KIRQL oldIrql);
        try
        {
            return ExExtendZone(Zone, Segment, SegmentSize);
        }
        finally
        {
            Ke.KeReleaseSpinLock(Lock, oldIrql);
        }
    }

    /// <summary>Takes the first free block (the most recently carved or freed one); 0 when the zone is full.</summary>
    /// <exception cref="InvalidOperationException">The zone was never initialized.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExAllocateFromZone(ZONE_HEADER Zone)
    {
        ArgumentNullException.ThrowIfNull(Zone);
        RoutineIrql.RequireMax(DISPATCH_LEVEL, nameof(ExAllocateFromZone));
        Zone.ThrowIfNotInitialized(nameof(ExAllocateFromZone));
        return PopZoneBlock(Zone);
    }

    /// <summary>Returns <paramref name="Block"/> to the head of the free list.</summary>
    /// <returns>The previous first free block (0 if the zone was full), as the kernel macro does.</returns>
    /// <exception cref="ArgumentException"><paramref name="Block"/> is not a block of this zone.</exception>
    /// <exception cref="InvalidOperationException">The zone was never initialized.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExFreeToZone(ZONE_HEADER Zone, nint Block)
    {
        ArgumentNullException.ThrowIfNull(Zone);
        RoutineIrql.RequireMax(DISPATCH_LEVEL, nameof(ExFreeToZone), Block, write: true);
        Zone.ThrowIfNotInitialized(nameof(ExFreeToZone));
        return PushZoneBlock(Zone, Block, nameof(ExFreeToZone));
    }

    /// <summary>True when the zone has no free block.</summary>
    /// <exception cref="InvalidOperationException">The zone was never initialized.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static bool ExIsFullZone(ZONE_HEADER Zone)
    {
        ArgumentNullException.ThrowIfNull(Zone);
        RoutineIrql.RequireMax(DISPATCH_LEVEL, nameof(ExIsFullZone));
        Zone.ThrowIfNotInitialized(nameof(ExIsFullZone));
        return Zone.FreeList == 0;
    }

    /// <summary><see cref="ExAllocateFromZone"/> under <paramref name="Lock"/> (raising to DISPATCH_LEVEL while held).</summary>
    /// <exception cref="InvalidOperationException">The zone was never initialized.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExInterlockedAllocateFromZone(ZONE_HEADER Zone, KSPIN_LOCK Lock)
    {
        ArgumentNullException.ThrowIfNull(Zone);
        ArgumentNullException.ThrowIfNull(Lock);
        RoutineIrql.RequireMax(DISPATCH_LEVEL, nameof(ExInterlockedAllocateFromZone));
        Zone.ThrowIfNotInitialized(nameof(ExInterlockedAllocateFromZone));
        Ke.KeAcquireSpinLock(Lock, out KIRQL oldIrql);
        try
        {
            return PopZoneBlock(Zone);
        }
        finally
        {
            Ke.KeReleaseSpinLock(Lock, oldIrql);
        }
    }

    /// <summary><see cref="ExFreeToZone"/> under <paramref name="Lock"/> (raising to DISPATCH_LEVEL while held).</summary>
    /// <returns>The previous first free block (0 if the zone was full).</returns>
    /// <exception cref="ArgumentException"><paramref name="Block"/> is not a block of this zone.</exception>
    /// <exception cref="InvalidOperationException">The zone was never initialized.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExInterlockedFreeToZone(ZONE_HEADER Zone, nint Block, KSPIN_LOCK Lock)
    {
        ArgumentNullException.ThrowIfNull(Zone);
        ArgumentNullException.ThrowIfNull(Lock);
        RoutineIrql.RequireMax(DISPATCH_LEVEL, nameof(ExInterlockedFreeToZone), Block, write: true);
        Zone.ThrowIfNotInitialized(nameof(ExInterlockedFreeToZone));
        Ke.KeAcquireSpinLock(Lock, out KIRQL oldIrql);
        try
        {
            return PushZoneBlock(Zone, Block, nameof(ExInterlockedFreeToZone));
        }
        finally
        {
            Ke.KeReleaseSpinLock(Lock, oldIrql);
        }
    }

    /// <summary>
    /// True when <paramref name="Object"/> lies in [SegmentList, SegmentList + TotalSegmentSize).
    /// </summary>
    /// <remarks>
    /// Reproduces the kernel macro, inexactness included: SegmentList is the newest segment, and
    /// TotalSegmentSize covers every segment, so the answer is exact only for a zone never extended.
    /// After an extension it tests the newest segment against the combined size.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The zone was never initialized.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static bool ExIsObjectInFirstZoneSegment(ZONE_HEADER Zone, nint Object)
    {
        ArgumentNullException.ThrowIfNull(Zone);
        RoutineIrql.RequireMax(DISPATCH_LEVEL, nameof(ExIsObjectInFirstZoneSegment));
        Zone.ThrowIfNotInitialized(nameof(ExIsObjectInFirstZoneSegment));
        nuint first = (nuint)Zone.SegmentList;
        nuint address = (nuint)Object;
        return address >= first && address < first + Zone.TotalSegmentSize;
    }

    private static bool IsValidZoneGeometry(uint blockSize, nint segment, uint segmentSize)
        => segment != 0
            && (segment & 7) == 0
            && blockSize != 0
            && (blockSize & 7) == 0
            && blockSize <= segmentSize
            && segmentSize >= ZONE_HEADER.SegmentHeaderSize;

    private static unsafe void AddZoneSegment(ZONE_HEADER zone, nint segment, uint segmentSize)
    {
        // ZONE_SEGMENT_HEADER: SegmentList.Next (the older segment), then Reserved (NULL).
        nint* header = (nint*)segment;
        header[0] = zone.SegmentList;
        header[1] = 0;
        zone.SegmentList = segment;

        // Offsets in 64 bits: offset + BlockSize cannot wrap however close segmentSize is to 4 GB.
        ulong offset = ZONE_HEADER.SegmentHeaderSize;
        ulong last = (ulong)segmentSize - zone.BlockSize;
        nint free = zone.FreeList;
        for (; offset <= last; offset += zone.BlockSize)
        {
            nint block = segment + (nint)offset;
            *(nint*)block = free;
            free = block;
        }

        zone.FreeList = free;
        zone.TotalSegmentSize += (uint)offset;
        zone.AddSegment(segment, (uint)offset);
    }

    private static unsafe nint PopZoneBlock(ZONE_HEADER zone)
    {
        nint block = zone.FreeList;
        if (block != 0)
        {
            zone.FreeList = *(nint*)block;
        }

        return block;
    }

    private static unsafe nint PushZoneBlock(ZONE_HEADER zone, nint block, string routine)
    {
        if (!zone.IsBlockBoundary(block))
        {
            throw new ArgumentException(
                $"{routine}: 0x{block:X} is not a block of this zone (every block starts 16 + n·{zone.BlockSize} bytes into one of its segments).",
                "Block");
        }

        nint previous = zone.FreeList;
        *(nint*)block = previous;
        zone.FreeList = block;
        return previous;
    }
}
