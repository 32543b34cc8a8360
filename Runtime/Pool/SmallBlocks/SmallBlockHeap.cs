using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The small-block heap of one pool: blocks of up to 4064 bytes in 16-byte size classes
/// (<see cref="SizeClasses"/>), carved from chunk pages of one class each, cached per thread and
/// shared between threads through one depot per class.
/// </summary>
/// <remarks>
/// <para>
/// Nothing the driver can write decides what is handed out. Free blocks are kept as addresses in
/// runtime memory (thread stacks, depots); an address enters them only from page carving or from a
/// free that passed validation, and every block is checked once more just before it is handed out:
/// it must still carry the free header of its class and an intact list entry. A block that fails is
/// reported (BAD_POOL_HEADER 0xD or 0x3), taken out of circulation and never handed out.
/// </para>
/// <para>
/// A free is judged against the chunk's page map before a byte at the address is read, then against
/// the header: its size must be its page's, the next header in the page must agree, the requested
/// size must fit the class and the quota owner must decode to a process. It is claimed with one
/// compare-exchange on the header, so of two racing frees exactly one wins and the other is a double
/// free. Capacity and quota move by the class's block size, never by a header field.
/// </para>
/// <para>
/// Blocks cross threads only through the depots' locks or the caller's own synchronization, which
/// is what orders one thread's header writes before another thread's reads. Capacity is charged per
/// batch as blocks enter a thread's cache and returned as they go back to a depot, so memory freed
/// in one size class is available to every other.
/// </para>
/// </remarks>
internal sealed unsafe partial class SmallBlockHeap
{
    private readonly SizeClassDepot?[] _depots = new SizeClassDepot?[SizeClasses.Count];
    private readonly ChunkSet _chunks = new();
    private readonly PoolCapacity _paged;
    private readonly PoolCapacity _nonPaged;
    private readonly QuotaLedger _quota;
    private readonly DriverVerifier? _verifier;

    public SmallBlockHeap(PoolCapacity paged, PoolCapacity nonPaged, QuotaLedger quota, DriverVerifier? verifier)
    {
        _paged = paged;
        _nonPaged = nonPaged;
        _quota = quota;
        _verifier = verifier;
    }

    /// <summary>The page map of the chunk holding <paramref name="address"/>, or null when the address is in no chunk.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public BlockLayout[]? PageMapOf(ThreadCache cache, nint address)
    {
        nint chunkBase = address & ~PoolLayout.ChunkMask;
        return chunkBase == cache.LastChunkBase ? cache.LastPageLayouts : FindChunk(cache, chunkBase);
    }

    /// <summary>
    /// Takes a free block of class <paramref name="index"/> from the thread's cache, refilling it from
    /// the depot or a new page when empty, and returns its header address; 0 when capacity or the OS
    /// cannot supply one. The block is checked before it is returned.
    /// </summary>
    /// <exception cref="BugCheckException">BAD_POOL_HEADER: the block was modified after it was freed (0xD: its header; 0x3: its list entry). It is dropped, never handed out.</exception>
    public nint Take(ThreadCache cache, int index)
    {
        ref FreeBlockStack stack = ref cache.Stacks[index];
        if (stack.Count == 0 && !Refill(ref stack, index))
        {
            return 0;
        }

        int count = --stack.Count;
        nint header = stack.Items![count];
        uint expected = PoolHeader.FreeWord(SizeClasses.UnitsOf(index));
        uint found = ((PoolHeader*)header)->SizeAndState;
        if (found != expected)
        {
            throw PoolBugChecks.FreedHeaderModified(header, ((PoolHeader*)header)->Packed, expected);
        }

        if (!PoolHeader.ListEntryIntact(header))
        {
            nint entry = header + PoolHeader.Size;
            throw PoolBugChecks.FreeListCorrupt(entry, *(nint*)entry, *(nint*)(entry + sizeof(nint)));
        }

        return header;
    }

    /// <summary>Returns a block <see cref="Take"/> gave out but the request did not use (still free, untouched).</summary>
    public void PutBack(ThreadCache cache, int index, nint header)
    {
        ref FreeBlockStack stack = ref cache.Stacks[index];
        stack.Items![stack.Count++] = header;
    }

    /// <summary>Writes the header of a block taken with <see cref="Take"/> and returns the caller's address.</summary>
    public static nint HandOut(nint header, int index, POOL_TYPE poolType, PoolTag tag, nuint numberOfBytes, uint quotaOwner, bool tracked)
    {
        var h = (PoolHeader*)header;
        ushort state = (ushort)(PoolHeader.Allocated | PoolTypes.Stored(poolType) | (tracked ? PoolHeader.Tracked : 0));
        h->SizeAndState = (uint)SizeClasses.UnitsOf(index) | ((uint)state << 16);
        h->Tag = tag.Value;
        h->RequestedBytes = (uint)numberOfBytes;
        h->QuotaOwner = quotaOwner;
        return header + PoolHeader.Size;
    }

    /// <summary>
    /// Frees the small block at <paramref name="address"/> in the chunk whose page map is
    /// <paramref name="pageMap"/>: every check first, then the claim, then the bookkeeping.
    /// </summary>
    public void Free(KernelThread thread, ThreadCache cache, BlockLayout[] pageMap, nint address, PoolTag tag)
    {
        bool verified = _verifier is not null;

        // The address must be exactly where a block of its page's class begins, plus the header. The
        // offset is below the chunk size, so the page index is within the map.
        int offset = (int)(address & PoolLayout.ChunkMask);
        BlockLayout layout = pageMap[offset >> PoolLayout.PageShift];
        int inPage = (offset & (PoolLayout.PageSize - 1)) - PoolHeader.Size;
        if (!layout.IsBlockStart(inPage))
        {
            throw PoolBugChecks.InvalidAddress(verified, address, inside: null);
        }

        var header = (PoolHeader*)(address - PoolHeader.Size);
        uint observed = Volatile.Read(ref header->SizeAndState);
        CheckAllocatedHeader(header, observed, layout, inPage, address, verified);

        var poolType = (POOL_TYPE)((observed >> 16) & PoolHeader.TypeMask);
        bool paged = PoolTypes.IsPaged(poolType);
        PoolBugChecks.CheckFreeIrql(verified, thread.Irql, poolType, address);

        uint allocatedTag = header->Tag;
        PoolBugChecks.CheckFreeTag(address, allocatedTag, tag);
        uint requested = header->RequestedBytes;
        if (requested - 1 >= (uint)layout.MaxRequest || PoolBugChecks.TagProblem(new PoolTag(allocatedTag)) != 0)
        {
            throw PoolBugChecks.CorruptHeader(header);
        }

        uint quotaOwner = header->QuotaOwner;
        KernelProcess? payer = null;
        if (quotaOwner != 0 && (payer = _quota.Decode(quotaOwner, (nint)header)) is null)
        {
            throw PoolBugChecks.BadQuotaOwner(address, allocatedTag, quotaOwner);
        }

        // The claim: of two frees racing on this block, exactly one gets past here.
        int units = layout.Units;
        if (Interlocked.CompareExchange(ref header->SizeAndState, PoolHeader.FreeWord(units), observed) != observed)
        {
            throw LostClaim(header, address, verified);
        }

        if (payer is not null && !payer.TryReturn(paged, layout.Stride))
        {
            // The owner decodes to a process that holds less than the block: the value was overwritten
            // with another process's encoding. Undo the claim; nothing is refunded or freed.
            header->SizeAndState = observed;
            throw PoolBugChecks.BadQuotaOwner(address, allocatedTag, quotaOwner);
        }

        if ((observed & ((uint)PoolHeader.Tracked << 16)) != 0)
        {
            _verifier?.Untrack(address);
        }

        cache.Tags.Freed(TagCounters.KeyOf(allocatedTag, paged), requested);
        PoolHeader.WriteListEntry(address);
        Push(cache, layout.ClassIndex, (nint)header);
    }

    /// <summary>
    /// Returns every block this thread caches for paged or nonpaged pool to the depots, so their
    /// capacity is free for any request: a step before an allocation reports the pool exhausted.
    /// Returns true when anything moved.
    /// </summary>
    public bool ReleaseCachedBlocks(ThreadCache cache, bool paged)
    {
        int first = SizeClasses.Group(paged, cacheAligned: false) << SizeClasses.GroupShift;
        return FlushAll(cache, first, first + (2 * SizeClasses.PerGroup));
    }

    /// <summary>Returns everything a cache holds to the depots: its thread has exited.</summary>
    public void Retire(ThreadCache cache) => FlushAll(cache, 0, SizeClasses.Count);

    /// <summary>Returns the chunks to the OS (the machine is going away).</summary>
    public void Release() => _chunks.Release();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private BlockLayout[]? FindChunk(ThreadCache cache, nint chunkBase)
    {
        BlockLayout[]? pageMap = _chunks.PageMapOf(chunkBase);
        if (pageMap is not null)
        {
            cache.LastChunkBase = chunkBase;
            cache.LastPageLayouts = pageMap;
        }

        return pageMap;
    }

    /// <summary>
    /// The checks of a free on the header read as <paramref name="observed"/>: a free block is a double
    /// free; otherwise it must be an allocated header of the page's class, and the next block's header
    /// in the page must agree on the size.
    /// </summary>
    private static void CheckAllocatedHeader(PoolHeader* header, uint observed, BlockLayout layout, int inPage, nint address, bool verified)
    {
        ushort state = (ushort)(observed >> 16);
        if (state == PoolHeader.Free)
        {
            throw PoolBugChecks.DoubleFree(verified, address, (nint)header, header->Packed);
        }

        if ((state & PoolHeader.Allocated) == 0 || (state & PoolHeader.Reserved) != 0)
        {
            throw PoolBugChecks.CorruptHeader(header);
        }

        if ((ushort)observed != layout.Units)
        {
            throw PoolBugChecks.HeaderSizeCorrupt((nint)header, (ushort)observed, layout.Units);
        }

        if (layout.HasNext(inPage))
        {
            var next = (PoolHeader*)((nint)header + layout.Stride);
            if (next->Units != layout.Units)
            {
                throw PoolBugChecks.NeighbourContradicts((nint)header, (nint)next, layout.Units, next->Units);
            }
        }
    }

    /// <summary>The header changed between the checks and the claim: another free won (or the header was overwritten meanwhile).</summary>
    private static BugCheckException LostClaim(PoolHeader* header, nint address, bool verified)
        => Volatile.Read(ref header->State) == PoolHeader.Free
            ? PoolBugChecks.DoubleFree(verified, address, (nint)header, header->Packed)
            : PoolBugChecks.CorruptHeader(header);

    /// <summary>Pushes a freed block on its class's stack, sending the older half to the depot when the stack is full.</summary>
    private void Push(ThreadCache cache, int index, nint header)
    {
        ref FreeBlockStack stack = ref cache.Stacks[index];
        nint[] items = stack.Items ??= new nint[ThreadCache.Capacity];
        if (stack.Count == ThreadCache.Capacity)
        {
            Flush(ref stack, index, ThreadCache.Batch);
        }

        items[stack.Count++] = header;
    }

    /// <summary>Moves the <paramref name="count"/> oldest blocks of a stack to the class's depot and returns their capacity.</summary>
    private void Flush(ref FreeBlockStack stack, int index, int count)
    {
        nint[] items = stack.Items!;
        DepotOf(index).Push(items.AsSpan(0, count));
        Array.Copy(items, count, items, 0, stack.Count - count);
        stack.Count -= count;
        CapacityOf(index).Release((long)count * SizeClasses.All[index]!.Stride);
    }

    private bool FlushAll(ThreadCache cache, int first, int end)
    {
        bool moved = false;
        for (int index = first; index < end; index++)
        {
            ref FreeBlockStack stack = ref cache.Stacks[index];
            if (stack.Count > 0)
            {
                Flush(ref stack, index, stack.Count);
                moved = true;
            }
        }

        return moved;
    }

    /// <summary>
    /// Fills an empty stack with a batch: from the depot, else a freshly carved page. The batch is
    /// charged to capacity first (a cached block counts as in use), as much of it as fits.
    /// </summary>
    private bool Refill(ref FreeBlockStack stack, int index)
    {
        SizeClass sizeClass = SizeClasses.All[index]!;
        PoolCapacity capacity = CapacityOf(index);
        int charged = capacity.ChargeUpTo(ThreadCache.Batch, sizeClass.Stride);
        if (charged == 0)
        {
            return false;
        }

        nint[] items = stack.Items ??= new nint[ThreadCache.Capacity];
        int taken = DepotOf(index).PopInto(items.AsSpan(0, charged));
        if (taken == 0)
        {
            taken = CarvePage(sizeClass, items, charged);
        }

        if (taken < charged)
        {
            capacity.Release((long)(charged - taken) * sizeClass.Stride);
        }

        stack.Count = taken;
        return taken > 0;
    }

    /// <summary>
    /// Carves a fresh page into free blocks of <paramref name="sizeClass"/>: up to
    /// <paramref name="wanted"/> go into <paramref name="items"/>, the rest to the depot. Blocks are
    /// handed out in ascending address order. Returns how many went into <paramref name="items"/>.
    /// </summary>
    private int CarvePage(SizeClass sizeClass, nint[] items, int wanted)
    {
        nint page = _chunks.TakePage(sizeClass.IsPaged, sizeClass.Layout);
        if (page == 0)
        {
            return 0;
        }

        int blocks = sizeClass.BlocksPerPage;
        Span<nint> carved = stackalloc nint[blocks];
        uint free = PoolHeader.FreeWord(sizeClass.Units);
        for (int i = 0; i < blocks; i++)
        {
            // Highest address first, so the lowest ends on top of the stack and is handed out first.
            nint header = page + sizeClass.FirstOffset + ((blocks - 1 - i) * sizeClass.Stride);
            var h = (PoolHeader*)header;
            h->SizeAndState = free;
            h->Tag = 0;
            h->RequestedBytes = 0;
            h->QuotaOwner = 0;
            PoolHeader.WriteListEntry(header + PoolHeader.Size);
            carved[i] = header;
        }

        int kept = Math.Min(wanted, blocks);
        carved[(blocks - kept)..].CopyTo(items);
        if (kept < blocks)
        {
            DepotOf(sizeClass.Index).Push(carved[..(blocks - kept)]);
        }

        return kept;
    }

    private SizeClassDepot DepotOf(int index)
    {
        SizeClassDepot? depot = Volatile.Read(ref _depots[index]);
        if (depot is null)
        {
            Interlocked.CompareExchange(ref _depots[index], new SizeClassDepot(), null);
            depot = _depots[index]!;
        }

        return depot;
    }

    private PoolCapacity CapacityOf(int index) => SizeClasses.IsPaged(index) ? _paged : _nonPaged;
}
