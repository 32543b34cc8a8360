using System;
using System.Runtime.CompilerServices;
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

        Zone.Reset(BlockSize);
        Zone.Owner = KernelSystem.Current;
        Zone.Carve(InitialSegment, InitialSegmentSize);
        return NTSTATUS.STATUS_SUCCESS;
    }

    /// <summary>
    /// Adds a caller-provided segment to <paramref name="Zone"/>: links it at the head of the segment
    /// list and carves it into free blocks. The memory belongs to the zone for good.
    /// </summary>
    /// <returns>
    /// STATUS_SUCCESS; STATUS_UNSUCCESSFUL for a NULL or misaligned segment, one smaller than its
    /// header, one too small to hold a block after its 16-byte header (the documented "segment too
    /// small" failure: an extension that adds nothing), or one that overlaps memory the zone already owns (the same
    /// segment again, or any part of an earlier one, unused tail included). Nothing is written on failure.
    /// </returns>
    /// <remarks>
    /// The kernel does not look for overlap: it would carve the blocks a second time and hand each out
    /// twice. Overlap is reported with STATUS_UNSUCCESSFUL, the one failure status the routine is
    /// documented to return, so ported code that tests for it (or uses NT_SUCCESS) handles it unchanged.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The zone was never initialized.</exception>
    /// <exception cref="ObjectDisposedException">The machine the zone was initialized on has been disposed.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static NTSTATUS ExExtendZone(ZONE_HEADER Zone, nint Segment, uint SegmentSize)
    {
        ArgumentNullException.ThrowIfNull(Zone);
        RoutineIrql.RequireMax(DISPATCH_LEVEL, nameof(ExExtendZone));
        Zone.ThrowIfNotInitialized(nameof(ExExtendZone));
        if (!IsValidZoneGeometry(Zone.BlockSize, Segment, SegmentSize)
            || SegmentSize - ZONE_HEADER.SegmentHeaderSize < Zone.BlockSize
            || Zone.Overlaps(Segment, SegmentSize))
        {
            return NTSTATUS.STATUS_UNSUCCESSFUL;
        }

        Zone.Carve(Segment, SegmentSize);
        return NTSTATUS.STATUS_SUCCESS;
    }

    /// <summary><see cref="ExExtendZone"/> under <paramref name="Lock"/> (raising to DISPATCH_LEVEL while held).</summary>
    /// <returns>What <see cref="ExExtendZone"/> returns.</returns>
    /// <exception cref="InvalidOperationException">The zone was never initialized.</exception>
    /// <exception cref="ObjectDisposedException">The machine the zone was initialized on has been disposed.</exception>
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

    /// <summary>Takes the first free block (the most recently carved or freed one); 0 when the zone is full, in every thread's cache included (they are taken back first).</summary>
    /// <exception cref="InvalidOperationException">The zone was never initialized, or the head of its free list is not a free block of the zone: the link in the block allocated before was overwritten after that block was freed (nothing is taken).</exception>
    /// <exception cref="ObjectDisposedException">The machine the zone was initialized on has been disposed.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExAllocateFromZone(ZONE_HEADER Zone)
    {
        ArgumentNullException.ThrowIfNull(Zone);
        RoutineIrql.RequireMax(DISPATCH_LEVEL, nameof(ExAllocateFromZone));
        Zone.ThrowIfNotInitialized(nameof(ExAllocateFromZone));
        return Zone.AllocateShared(nameof(ExAllocateFromZone));
    }

    /// <summary>Returns <paramref name="Block"/> to the head of the free list.</summary>
    /// <returns>The previous first free block (0 if the zone was full), as the kernel macro does.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="Block"/> is not a block of this zone (outside every segment, or not on a block
    /// boundary), or it is already free. The kernel macro would push it anyway and corrupt the free
    /// list without stopping, so this is a caller error, not a bug check; the zone is left unchanged.
    /// </exception>
    /// <exception cref="InvalidOperationException">The zone was never initialized.</exception>
    /// <exception cref="ObjectDisposedException">The machine the zone was initialized on has been disposed.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExFreeToZone(ZONE_HEADER Zone, nint Block)
    {
        ArgumentNullException.ThrowIfNull(Zone);
        RoutineIrql.RequireMax(DISPATCH_LEVEL, nameof(ExFreeToZone), Block, write: true);
        Zone.ThrowIfNotInitialized(nameof(ExFreeToZone));
        return Zone.FreeShared(Block, nameof(ExFreeToZone));
    }

    /// <summary>True when the zone has no free block, on its shared list or in any thread's cache (the caches are taken back before it answers true).</summary>
    /// <exception cref="InvalidOperationException">The zone was never initialized.</exception>
    /// <exception cref="ObjectDisposedException">The machine the zone was initialized on has been disposed.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static bool ExIsFullZone(ZONE_HEADER Zone)
    {
        ArgumentNullException.ThrowIfNull(Zone);
        RoutineIrql.RequireMax(DISPATCH_LEVEL, nameof(ExIsFullZone));
        Zone.ThrowIfNotInitialized(nameof(ExIsFullZone));
        return Zone.IsFull();
    }

    /// <summary><see cref="ExAllocateFromZone"/> under <paramref name="Lock"/> (raising to DISPATCH_LEVEL while held).</summary>
    /// <remarks>
    /// While the lock is free, a block the calling thread freed before comes from the thread's own
    /// cache without taking the lock: the same as taking and releasing the lock at that instant.
    /// NULL only when no block is free anywhere, in any thread's cache included.
    /// </remarks>
    /// <exception cref="InvalidOperationException">As for <see cref="ExAllocateFromZone"/>, or a block in the thread's cache was written after it was freed; the lock is released and the IRQL restored.</exception>
    /// <exception cref="ObjectDisposedException">The machine the zone was initialized on has been disposed.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExInterlockedAllocateFromZone(ZONE_HEADER Zone, KSPIN_LOCK Lock)
    {
        ArgumentNullException.ThrowIfNull(Zone);
        ArgumentNullException.ThrowIfNull(Lock);
        KernelThread thread = RoutineIrql.RequireMaxOnLiveMachine(DISPATCH_LEVEL, nameof(ExInterlockedAllocateFromZone));
        Zone.ThrowIfNotInitialized(nameof(ExInterlockedAllocateFromZone));
        return Zone.TryAllocateCached(thread, Lock, nameof(ExInterlockedAllocateFromZone), out nint block)
            ? block
            : InterlockedAllocateUnderLock(Zone, Lock, thread);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static nint InterlockedAllocateUnderLock(ZONE_HEADER Zone, KSPIN_LOCK Lock, KernelThread thread)
    {
        // KeAcquireSpinLock and KeReleaseSpinLock with every check they make (recursion, mixed
        // acquisition, the watchdog, the owner on release), minus the ones this routine has just made
        // on the same thread (crash, IRQL at most DISPATCH_LEVEL) and the IRQL test on release, which
        // nothing between the two can change.
        KIRQL oldIrql = Lock.AcquireRaising(thread);
        try
        {
            return Zone.AllocateUnderLock(thread, Lock, nameof(ExInterlockedAllocateFromZone));
        }
        finally
        {
            Lock.ReleaseLowering(thread, oldIrql);
        }
    }

    /// <summary><see cref="ExFreeToZone"/> under <paramref name="Lock"/> (raising to DISPATCH_LEVEL while held).</summary>
    /// <returns>The previous first free block as the calling thread sees it (its newest cached block, else the shared list's head), or 0 if the zone was full.</returns>
    /// <remarks>A block the thread allocated through its cache goes back to that cache without the lock while the lock is free.</remarks>
    /// <exception cref="ArgumentException">
    /// <paramref name="Block"/> is not a block of this zone (outside every segment, or not on a block
    /// boundary), or it is already free. The kernel macro would push it anyway and corrupt the free
    /// list without stopping, so this is a caller error, not a bug check; the zone is left unchanged.
    /// </exception>
    /// <exception cref="InvalidOperationException">The zone was never initialized.</exception>
    /// <exception cref="ObjectDisposedException">The machine the zone was initialized on has been disposed.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExInterlockedFreeToZone(ZONE_HEADER Zone, nint Block, KSPIN_LOCK Lock)
    {
        ArgumentNullException.ThrowIfNull(Zone);
        ArgumentNullException.ThrowIfNull(Lock);
        KernelThread thread = RoutineIrql.RequireMaxOnLiveMachine(DISPATCH_LEVEL, nameof(ExInterlockedFreeToZone), Block, write: true);
        Zone.ThrowIfNotInitialized(nameof(ExInterlockedFreeToZone));
        return Zone.TryFreeCached(thread, Lock, Block, nameof(ExInterlockedFreeToZone), out nint previous)
            ? previous
            : InterlockedFreeUnderLock(Zone, Block, Lock, thread);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static nint InterlockedFreeUnderLock(ZONE_HEADER Zone, nint Block, KSPIN_LOCK Lock, KernelThread thread)
    {
        KIRQL oldIrql = Lock.AcquireRaising(thread);
        try
        {
            return Zone.FreeUnderLock(thread, Lock, Block, nameof(ExInterlockedFreeToZone));
        }
        finally
        {
            Lock.ReleaseLowering(thread, oldIrql);
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
    /// <exception cref="ObjectDisposedException">The machine the zone was initialized on has been disposed.</exception>
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

    // The last test keeps segment + size inside the address space, so range arithmetic cannot wrap.
    private static bool IsValidZoneGeometry(uint blockSize, nint segment, uint segmentSize)
        => segment != 0
            && (segment & 7) == 0
            && blockSize != 0
            && (blockSize & 7) == 0
            && blockSize <= segmentSize
            && segmentSize >= ZONE_HEADER.SegmentHeaderSize
            && (nuint)segment <= nuint.MaxValue - segmentSize;
}
