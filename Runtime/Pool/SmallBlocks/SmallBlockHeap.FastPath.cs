using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace PoolAnalyzers.Runtime;

// The common case in as few instructions as possible: a small, plain (not cache-aligned, not quota)
// request with a tag this thread already validated, verifier off, and a block waiting in the thread's
// cache; and the matching free. Every check of the general path is made here too, folded into a few
// compares on values already loaded; anything unusual - a check that would fail, a refill, an
// overflow, quota, the verifier, a disposed pool - returns "not handled" without side effects and the
// general path runs, repeats every check and reports what is wrong. Both read only the thread's cache
// (never the pool or the heap), so a warm pair touches no shared cache line.
internal sealed unsafe partial class SmallBlockHeap
{
    private const int MustSucceedOrCacheAligned = 2 | 4;

    // A header the fast free accepts: Allocated, not Tracked, no reserved state bit.
    private const uint FastFreeStateMask = ((uint)(PoolHeader.Allocated | PoolHeader.Tracked | PoolHeader.Reserved)) << 16;
    private const uint FastFreeState = (uint)PoolHeader.Allocated << 16;

    /// <summary>Sets <paramref name="address"/> to the caller's address of a block and returns true, or returns false (having changed nothing) when the request needs the general path.</summary>
    /// <remarks>
    /// A bool rather than "address or 0": inlined, each early <c>return false</c> jumps straight to the
    /// caller's general path, where a 0 result would be merged with the block and tested once more,
    /// keeping the cache live until that test.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryAllocateFast(KIRQL irql, ThreadCache cache, POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag, out nint address)
    {
        address = 0;
        // numberOfBytes - 1 wraps for 0, so one unsigned compare rejects both 0 and big requests.
        if (cache.FastPathsClosed
            || ((int)poolType & MustSucceedOrCacheAligned) != 0
            || tag.Value != cache.LastValidTag
            || numberOfBytes - 1 >= PoolLayout.SmallLimit)
        {
            return false;
        }

        int paged = (int)poolType & 1;

        // Paged pool allows up to APC_LEVEL (1), nonpaged up to DISPATCH_LEVEL (2): irql + paged <= 2.
        if ((int)irql + paged > (int)KIRQL.DISPATCH_LEVEL)
        {
            return false;
        }

        int index = SizeClasses.IndexOf(paged << 1, numberOfBytes);
        ref FreeBlockStack stack = ref StackOf(cache, index);
        int count = stack.Count - 1;
        if (count < 0)
        {
            return false;
        }

        // Count > 0 means the array exists and holds Count blocks of this class.
        nint block = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(stack.Items!), count);
        var header = (PoolHeader*)block;

        // Handed out only if still exactly as freed: the free header of its class and an intact list entry.
        int units = SizeClasses.UnitsOf(index);
        if (header->SizeAndState != PoolHeader.FreeWord(units) || !PoolHeader.ListEntryIntact(block))
        {
            return false;
        }

        stack.Count = count;

        // Units, state and tag in one store; requested size and quota owner (0: nobody) in another.
        *(ulong*)header = (uint)units | ((ulong)(PoolHeader.Allocated | PoolTypes.Stored(poolType)) << 16) | ((ulong)tag.Value << 32);
        *(ulong*)&header->RequestedBytes = (uint)numberOfBytes;

        address = block + PoolHeader.Size;
        cache.Tags.Allocated(TagCounters.KeyOf(tag.Value, paged != 0), (long)numberOfBytes);
        return true;
    }

    /// <summary>Frees the block and returns true, or returns false (having changed nothing) when the free needs the general path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryFreeFast(KIRQL irql, ThreadCache cache, nint address, PoolTag tag)
    {
        // Only the chunk this thread freed into last; any other address takes the general path.
        if (cache.FastPathsClosed || (address & ~PoolLayout.ChunkMask) != cache.LastChunkBase)
        {
            return false;
        }

        int offset = (int)(address & PoolLayout.ChunkMask);
        ref BlockLayout layout = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(cache.LastPageLayouts!), offset >> PoolLayout.PageShift);
        int inPage = (offset & (PoolLayout.PageSize - 1)) - PoolHeader.Size;
        if (!layout.IsBlockStart(inPage))
        {
            return false;
        }

        // The next header in the page agrees on the size. Tested first, so the offset is dead before
        // the header's checks need registers (the order of these reads changes no outcome).
        var header = (PoolHeader*)(address - PoolHeader.Size);
        if (layout.HasNext(inPage) && ((PoolHeader*)((nint)header + layout.Stride))->Units != layout.Units)
        {
            return false;
        }

        ulong first = *(ulong*)header;
        uint observed = (uint)first;
        uint allocatedTag = (uint)(first >> 32);
        int paged = (int)(observed >> 16) & 1;

        // Allocated, untracked and the page's size; IRQL allowed for the pool; the tag matches (tag 0:
        // the tag this thread validated, unprotected); requested size within the class and no quota
        // owner (one compare: a non-zero owner makes the 64-bit value too large).
        ulong second = *(ulong*)&header->RequestedBytes;
        if ((observed & (FastFreeStateMask | 0xFFFF)) != (FastFreeState | (uint)layout.Units)
            || (int)irql + paged > (int)KIRQL.DISPATCH_LEVEL
            || (tag.Value == 0 ? allocatedTag != cache.LastValidTag || (allocatedTag & PoolTag.PROTECTED_POOL) != 0 : ((tag.Value ^ allocatedTag) & ~PoolTag.PROTECTED_POOL) != 0)
            || second - 1 >= (ulong)layout.MaxRequest)
        {
            return false;
        }

        ref FreeBlockStack stack = ref StackOf(cache, layout.ClassIndex);
        nint[]? items = stack.Items;
        int count = stack.Count;
        if (items is null || count >= ThreadCache.Capacity)
        {
            return false;
        }

        // The claim: of two frees racing on this block, exactly one gets past here (the loser's general
        // path reports the double free).
        if (Interlocked.CompareExchange(ref header->SizeAndState, PoolHeader.FreeWord(layout.Units), observed) != observed)
        {
            return false;
        }

        PoolHeader.WriteListEntry(address);
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(items), count) = (nint)header;
        stack.Count = count + 1;
        cache.Tags.Freed(TagCounters.KeyOf(allocatedTag, paged != 0), (long)(uint)second);
        return true;
    }

    /// <summary>The stack of class <paramref name="index"/> in the thread's table, without a bounds check: the fast paths' indexes come from the class mapping or the runtime's page map, never from driver memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref FreeBlockStack StackOf(ThreadCache cache, int index)
        => ref Unsafe.Add(ref Unsafe.As<ThreadCache.StackTable, FreeBlockStack>(ref cache.Stacks), index);
}
