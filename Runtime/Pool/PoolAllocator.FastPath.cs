using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PoolAnalyzers.Runtime;

// The common case in as few instructions as possible: a small, plain (not cache-aligned, not
// quota) request with a tag this thread already validated, verifier off, and a block waiting in the
// thread's cache; and the matching free. Anything else - every check that could fail, every refill,
// overflow, quota or verifier step - returns "not handled" without side effects and the caller runs
// the general path, which repeats every check. The fast methods keep no GC-tracked locals beyond the
// cache, so their prologue stays small.
internal sealed unsafe partial class PoolAllocator
{
    private const int MustSucceedOrCacheAligned = 2 | 4;

    /// <summary>True when the fast path must not run: verifier checks are on. Fixed at construction.</summary>
    private readonly bool _verifierOn;

    /// <summary>Returns the block, or 0 when the request needs the general path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private nint TryAllocateFast(KIRQL irql, ThreadCache cache, POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag)
    {
        // numberOfBytes - 1 wraps for 0, so one unsigned compare rejects both 0 and big requests.
        if (_disposed | _verifierOn
            || ((int)poolType & MustSucceedOrCacheAligned) != 0
            || tag.Value != cache.LastValidTag
            || numberOfBytes - 1 >= PoolLayout.SmallLimit)
        {
            return 0;
        }

        int paged = (int)poolType & 1;

        // Paged pool allows up to APC_LEVEL (1), nonpaged up to DISPATCH_LEVEL (2): irql + paged <= 2.
        if ((int)irql + paged > (int)KIRQL.DISPATCH_LEVEL)
        {
            return 0;
        }

        // Header + request rounded up to 16-byte units: (n + 16 + 15) / 16.
        int index = (paged * 2 * SizeClass.PerGroup) + (int)((numberOfBytes + PoolHeader.Size + PoolLayout.UnitSize - 1) >> PoolLayout.UnitShift);
        ref ThreadCache.FreeList list = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(cache.Lists), index);
        nint block = list.Head;
        if (block == 0)
        {
            return 0;
        }

        list.Head = ThreadCache.FreeList.NextOf(block);

        var header = (PoolHeader*)block;
        header->State = (ushort)(PoolHeader.Allocated | PoolTypes.Stored(poolType));
        header->Tag = tag.Value;

        // RequestedBytes and QuotaProcessId (0: nobody charged) in one store.
        *(ulong*)&header->RequestedBytes = (uint)numberOfBytes;

        cache.Tags.Allocated((tag.Value & ~PoolTag.PROTECTED_POOL) | ((uint)paged << 31), (long)numberOfBytes);
        return block + PoolHeader.Size;
    }

    /// <summary>Frees the block and returns true, or returns false (having changed nothing) when the free needs the general path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryFreeFast(KIRQL irql, ThreadCache cache, nint address, PoolTag tag)
    {
        if (_disposed)
        {
            return false;
        }

        // Only the chunk this thread freed into last; any other address takes the general path.
        if ((address & ~(nint)(PoolLayout.ChunkSize - 1)) != cache.LastChunkBase)
        {
            return false;
        }

        int offset = (int)(address & (PoolLayout.ChunkSize - 1));
        ref BlockLayout layout = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(cache.LastPageLayouts!), offset >> PoolLayout.PageShift);
        if (!layout.IsBlockStart((offset & (PoolLayout.PageSize - 1)) - PoolHeader.Size))
        {
            return false;
        }

        var header = (PoolHeader*)(address - PoolHeader.Size);
        uint state = header->State;
        uint allocatedTag = header->Tag;
        int paged = (int)state & 1;

        // Allocated and not tracked by the verifier; IRQL allowed for the pool; tag matches (or tag 0 on
        // an unprotected block); nobody's quota to return.
        if ((state & (PoolHeader.Allocated | PoolHeader.Tracked)) != PoolHeader.Allocated
            || (int)irql + paged > (int)KIRQL.DISPATCH_LEVEL
            || (tag.Value == 0 ? (allocatedTag & PoolTag.PROTECTED_POOL) != 0 : ((tag.Value ^ allocatedTag) & ~PoolTag.PROTECTED_POOL) != 0)
            || header->QuotaProcessId != 0)
        {
            return false;
        }

        ref ThreadCache.FreeList list = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(cache.Lists), layout.ClassIndex);
        int depth = list.Count + 1;
        if (depth > ThreadCache.MaxDepth)
        {
            return false;
        }

        cache.Tags.Freed((allocatedTag & ~PoolTag.PROTECTED_POOL) | ((uint)paged << 31), header->RequestedBytes);

        // Clearing Allocated is what makes a second free of the same address a detectable double free.
        header->State = 0;
        list.Push((nint)header, depth);
        return true;
    }
}
