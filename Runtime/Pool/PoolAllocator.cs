using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The pools of one <see cref="KernelSystem"/>: small blocks carved from 64 KiB chunks and cached per
/// thread by size class, page-granular big allocations, special pool, accounting and the bug checks.
/// </summary>
/// <remarks>
/// The small-block hot path (allocate or free with a warm thread cache, see PoolAllocator.FastPath.cs)
/// takes no lock, makes no interlocked operation and allocates nothing: one thread-static read finds
/// the thread's IRQL and cache, a list pop or push moves the block, and the tag counters are the
/// thread's own stripe. Shared state is reached only when a cache runs dry or overflows (a batch moves
/// under the size class lock and is charged to capacity) or a new page is needed (page lock).
/// Blocks cross threads only through those locks or through the caller's own synchronization, which
/// is what orders one thread's header writes before another thread's reads. Capacity is charged per
/// batch of blocks as it enters a thread's cache and returned as blocks go back to the shared lists,
/// so memory freed in one size class is available to every other.
/// </remarks>
internal sealed unsafe partial class PoolAllocator : IDisposable
{
    internal static readonly PoolTag NoneTag = "None";

    private static readonly uint s_bigTag = PoolTag.FromString("BIG ").Value;

    private readonly SizeClass[] _classes = new SizeClass[SizeClass.Count];
    private readonly ChunkTable _chunks = new();

    // Guards page carving and chunk acquisition (one page per refill miss, so rarely contended).
    private readonly object _pageLock = new();
    private readonly List<PoolChunk> _allChunks = [];
    private PoolChunk? _currentPagedChunk;
    private PoolChunk? _currentNonPagedChunk;

    private readonly DriverVerifier? _verifier;

    // Read on every call; written once by Dispose (or by Halt when the machine crashes). It turns a
    // use that happens after Dispose (on the disposing thread, or on one synchronized with it) into
    // ObjectDisposedException; such a use is already ordered after the write, so a plain field
    // suffices. Using the pool while another thread disposes it is a race the caller owns.
    private bool _disposed;
    private int _disposeStarted;

    public PoolAllocator(KernelSystem system, SystemConfiguration configuration, DriverVerifier verifier)
    {
        System = system;
        for (int i = 0; i < _classes.Length; i++)
        {
            if (i % SizeClass.PerGroup != 0)
            {
                _classes[i] = new SizeClass(i);
            }
        }

        Paged = new PoolCapacity(paged: true, configuration.PagedPoolSize);
        NonPaged = new PoolCapacity(paged: false, configuration.NonPagedPoolSize);

        // Null when every verifier check is off, so the hot path pays one null test for all of them.
        _verifier = configuration.Verifier.AnyEnabled ? verifier : null;
        _verifierOn = _verifier is not null;
        SystemProcess = new KernelProcess(system, 0, "System", ulong.MaxValue, ulong.MaxValue, isSystem: true);
    }

    public KernelSystem System { get; }

    public PoolCapacity Paged { get; }

    public PoolCapacity NonPaged { get; }

    public KernelProcess SystemProcess { get; }

    /// <summary>Allocates from the calling thread's current machine.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint Allocate(POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag, AllocationOptions options)
    {
        KernelThread thread = KernelThread.Current;
        ThreadCache cache = thread.PoolCache ?? CacheOfCurrentMachine(thread);
        return cache.Owner.AllocateWith(thread, cache, poolType, numberOfBytes, tag, options);
    }

    /// <summary>Frees to the calling thread's current machine.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(nint address, PoolTag tag)
    {
        KernelThread thread = KernelThread.Current;
        ThreadCache cache = thread.PoolCache ?? CacheOfCurrentMachine(thread);
        cache.Owner.FreeWith(thread, cache, address, tag);
    }

    /// <summary>
    /// Allocates from this machine whichever machine is current on the calling thread: the default
    /// Allocate routine of a lookaside list, whose entries belong to the machine it was initialized on.
    /// </summary>
    public nint AllocateFromThisMachine(POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag)
    {
        KernelThread thread = KernelThread.Current;
        return AllocateWith(thread, CacheFor(thread), poolType, numberOfBytes, tag, PoolTypes.Options(poolType));
    }

    /// <summary>Frees to this machine whichever machine is current on the calling thread (a lookaside list's default Free routine).</summary>
    public void FreeToThisMachine(nint address)
    {
        KernelThread thread = KernelThread.Current;
        FreeWith(thread, CacheFor(thread), address, default);
    }

    /// <summary>The fast path when it applies (never for quota, priority or special-pool requests), else the general one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private nint AllocateWith(KernelThread thread, ThreadCache cache, POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag, AllocationOptions options)
    {
        if ((options & ~AllocationOptions.FastPathable) == 0)
        {
            nint block = TryAllocateFast(thread.Irql, cache, poolType, numberOfBytes, tag);
            if (block != 0)
            {
                if ((options & AllocationOptions.Zero) != 0)
                {
                    Clear(block, numberOfBytes);
                }

                return block;
            }
        }

        return Allocate(thread, cache, poolType, numberOfBytes, tag, options);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void FreeWith(KernelThread thread, ThreadCache cache, nint address, PoolTag tag)
    {
        if (!TryFreeFast(thread.Irql, cache, address, tag))
        {
            Free(thread, cache, address, tag);
        }
    }

    private nint Allocate(KernelThread thread, ThreadCache cache, POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag, AllocationOptions options)
    {
        ThrowIfDisposed();

        // The IRQL first, as the kernel's own entry check does, then the type.
        KIRQL irql = thread.Irql;
        if (irql > PoolTypes.MaxIrql(poolType))
        {
            throw IrqlTooHighToAllocate(irql, poolType, numberOfBytes);
        }

        if (PoolTypes.IsMustSucceed(poolType))
        {
            throw MustSucceed(poolType, numberOfBytes, tag);
        }

        uint bareTag = tag.Value & ~PoolTag.PROTECTED_POOL;
        if (tag.Value != cache.LastValidTag)
        {
            uint problem = TagProblem(tag);
            if (problem != 0)
            {
                return (options & AllocationOptions.FailOnBadTag) != 0
                    ? FailBadTag(options, problem, tag, numberOfBytes)
                    : throw BadTag(problem, tag, poolType, numberOfBytes);
            }

            cache.LastValidTag = tag.Value;
        }

        if (numberOfBytes == 0)
        {
            numberOfBytes = ZeroSizeRequest(irql, poolType);
        }

        DriverVerifier? verifier = _verifier;
        if (verifier is not null)
        {
            if (verifier.LowResources?.ShouldFail(bareTag) == true || verifier.Systematic?.ShouldFail(bareTag) == true)
            {
                return Fail(poolType, options, NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, numberOfBytes, tag);
            }

            // A request that asks for special pool gets it whatever the tag filter says, as the kernel's
            // special-pool priorities do; any other request follows the filter.
            if ((options & AllocationOptions.SpecialPool) != 0 ? verifier.SpecialPoolEnabled : verifier.UsesSpecialPool(bareTag))
            {
                return AllocateSpecial(poolType, numberOfBytes, tag, options, cache);
            }
        }

        if ((options & (AllocationOptions.LowPriority | AllocationOptions.NormalPriority)) != 0 && !PriorityAllows(poolType, numberOfBytes, options))
        {
            return FailPriority(poolType, options, numberOfBytes, tag);
        }

        bool cacheAligned = PoolTypes.IsCacheAligned(poolType);
        if (numberOfBytes > (nuint)(cacheAligned ? PoolLayout.SmallAlignedLimit : PoolLayout.SmallLimit))
        {
            return AllocateBig(poolType, numberOfBytes, tag, options, cache);
        }

        bool paged = PoolTypes.IsPaged(poolType);
        int blockBytes = PoolLayout.BlockBytes(numberOfBytes, cacheAligned);
        uint quotaProcessId = 0;
        if ((options & AllocationOptions.ChargeQuota) != 0)
        {
            quotaProcessId = ChargeQuota(paged, blockBytes, out KernelProcess? overQuota);
            if (overQuota is not null)
            {
                return Fail(poolType, options, NTSTATUS.STATUS_QUOTA_EXCEEDED, numberOfBytes, tag);
            }
        }

        // The index is below SizeClass.Count by construction (units <= 256), so the list is reached
        // without a bounds check.
        int index = SizeClass.IndexOf(paged, cacheAligned, blockBytes >> PoolLayout.UnitShift);
        ref ThreadCache.FreeList list = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(cache.Lists), index);
        nint block = list.Head;
        if (block != 0)
        {
            list.Head = ThreadCache.FreeList.NextOf(block);
        }
        else
        {
            block = Refill(ref list, index);
            if (block == 0 && ReleaseCachedBlocks(cache, paged))
            {
                block = Refill(ref list, index);
            }

            if (block == 0)
            {
                ReturnQuota(quotaProcessId, paged, blockBytes);
                return Fail(poolType, options, NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, numberOfBytes, tag);
            }
        }

        var header = (PoolHeader*)block;
        header->State = (ushort)(PoolHeader.Allocated | PoolTypes.Stored(poolType));
        header->Tag = tag.Value;
        header->RequestedBytes = (uint)numberOfBytes;
        header->QuotaProcessId = quotaProcessId;
        nint address = block + PoolHeader.Size;

        if (verifier is not null && verifier.Tracks(bareTag))
        {
            header->State |= PoolHeader.Tracked;
            verifier.Track(new PoolAllocationRecord(address, tag, poolType, numberOfBytes));
        }

        cache.Tags.Allocated(bareTag | (paged ? TagCounters.PagedKeyBit : 0), (long)numberOfBytes);
        if ((options & AllocationOptions.Zero) != 0)
        {
            Clear(address, numberOfBytes);
        }

        return address;
    }

    private void Free(KernelThread thread, ThreadCache cache, nint address, PoolTag tag)
    {
        ThrowIfDisposed();
        BlockLayout[]? pageLayouts = PageLayoutsOf(cache, address);
        if (pageLayouts is null)
        {
            FreeLarge(thread, cache, address, tag);
            return;
        }

        // Validate against the chunk's own page map before reading the header: the address must be
        // exactly where a block of the page's size class begins, plus the header size. The offset is
        // below the chunk size, so the page index is within the map.
        int offset = (int)(address & (PoolLayout.ChunkSize - 1));
        ref BlockLayout layout = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(pageLayouts), offset >> PoolLayout.PageShift);
        if (!layout.IsBlockStart((offset & (PoolLayout.PageSize - 1)) - PoolHeader.Size))
        {
            throw InvalidAddress(address);
        }

        int classIndex = layout.ClassIndex;

        var header = (PoolHeader*)(address - PoolHeader.Size);
        ushort state = header->State;
        if ((state & PoolHeader.Allocated) == 0)
        {
            throw DoubleFree(address, (nint)header, header->Packed);
        }

        var poolType = (POOL_TYPE)(state & PoolHeader.TypeMask);
        bool paged = PoolTypes.IsPaged(poolType);
        KIRQL irql = thread.Irql;
        if (irql > PoolTypes.MaxIrql(poolType))
        {
            throw IrqlTooHighToFree(irql, poolType, address);
        }

        CheckFreeTag(address, header->Tag, tag);

        if ((state & PoolHeader.Tracked) != 0)
        {
            _verifier?.Untrack(address);
        }

        if (header->QuotaProcessId != 0)
        {
            ReturnQuota(header->QuotaProcessId, paged, header->Units * PoolLayout.UnitSize);
        }

        cache.Tags.Freed((header->Tag & ~PoolTag.PROTECTED_POOL) | (paged ? TagCounters.PagedKeyBit : 0), header->RequestedBytes);

        // Clearing Allocated is what makes a second free of the same address a detectable double free.
        // classIndex came from the page map, which only holds valid class indexes.
        header->State = 0;
        ref ThreadCache.FreeList list = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(cache.Lists), classIndex);
        int depth = list.Count + 1;
        list.Push((nint)header, depth);
        if (depth > ThreadCache.MaxDepth)
        {
            Flush(ref list, classIndex, ThreadCache.Batch);
        }
    }

    public void Dispose()
    {
        // Exactly one caller releases the memory, however many threads dispose at once.
        if (Interlocked.Exchange(ref _disposeStarted, 1) != 0)
        {
            return;
        }

        _disposed = true;
        lock (_pageLock)
        {
            foreach (PoolChunk chunk in _allChunks)
            {
                chunk.Release();
            }

            _allChunks.Clear();
        }

        ReleaseLargeBlocks();
        Paged.Dispose();
        NonPaged.Dispose();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowDisposed();
        }
    }

    private void ThrowDisposed()
    {
        // A crashed machine halts its pool the same way (see Halt) and reports the crash instead.
        System.ThrowCrashIfAny();
        throw new ObjectDisposedException(nameof(KernelSystem), "The KernelSystem that owns this pool has been disposed; its memory is released.");
    }

    /// <summary>
    /// The machine crashed (a DPC routine bug-checked): every later call leaves the fast paths, which
    /// already test <see cref="_disposed"/>, and the general path throws the crash. The memory stays
    /// mapped, since a driver thread may still be using its blocks.
    /// </summary>
    internal void Halt() => Volatile.Write(ref _disposed, true);

    /// <summary>
    /// Gets a batch of blocks for an empty cache list: from the shared list, else a newly carved page.
    /// The batch is charged to the pool's capacity (a cached block counts as in use), as much of it as
    /// fits. Returns one block, the rest stay in the list; 0 when the pool cannot supply one.
    /// </summary>
    private nint Refill(ref ThreadCache.FreeList list, int index)
    {
        SizeClass sizeClass = _classes[index];
        PoolCapacity capacity = sizeClass.IsPaged ? Paged : NonPaged;
        int charged = capacity.ChargeUpTo(ThreadCache.Batch, sizeClass.Stride);
        if (charged == 0)
        {
            return 0;
        }

        nint first = sizeClass.PopBatch(charged, out int taken);
        if (taken == 0)
        {
            first = CarvePage(sizeClass, charged, out taken);
        }

        if (taken < charged)
        {
            capacity.Release((long)(charged - taken) * sizeClass.Stride);
        }

        if (taken == 0)
        {
            return 0;
        }

        list.Install(ThreadCache.FreeList.NextOf(first), taken - 1);
        return first;
    }

    /// <summary>
    /// Carves a fresh page of <paramref name="sizeClass"/>; returns up to <paramref name="wanted"/> of its
    /// blocks linked, and puts the rest on the shared list. Returns 0 when the OS has no memory left.
    /// </summary>
    private nint CarvePage(SizeClass sizeClass, int wanted, out int count)
    {
        nint first;
        lock (_pageLock)
        {
            ref PoolChunk? current = ref sizeClass.IsPaged ? ref _currentPagedChunk : ref _currentNonPagedChunk;
            if (current is null || !current.HasFreePage)
            {
                var chunk = PoolChunk.TryCreate(sizeClass.IsPaged);
                if (chunk is null)
                {
                    count = 0;
                    return 0;
                }

                _allChunks.Add(chunk);
                _chunks.Add(chunk);
                current = chunk;
            }

            first = current.CarvePage(sizeClass, out count);
        }

        if (count > wanted)
        {
            nint last = first;
            for (int i = 1; i < wanted; i++)
            {
                last = ThreadCache.FreeList.NextOf(last);
            }

            sizeClass.PushList(ThreadCache.FreeList.NextOf(last), LastOf(ThreadCache.FreeList.NextOf(last)));
            ThreadCache.FreeList.NextOf(last) = 0;
            count = wanted;
        }

        return first;
    }

    private static nint LastOf(nint first)
    {
        nint last = first;
        for (nint next = ThreadCache.FreeList.NextOf(last); next != 0; next = ThreadCache.FreeList.NextOf(last))
        {
            last = next;
        }

        return last;
    }

    /// <summary>Moves <paramref name="count"/> blocks from the front of a cache list to the shared list and returns their capacity.</summary>
    private void Flush(ref ThreadCache.FreeList list, int index, int count)
    {
        SizeClass sizeClass = _classes[index];
        nint first = list.TakeFront(count, out nint last);
        sizeClass.PushList(first, last);
        (sizeClass.IsPaged ? Paged : NonPaged).Release((long)count * sizeClass.Stride);
    }

    /// <summary>
    /// Returns every block this thread caches for one pool to the shared lists, so their capacity is
    /// free for any request: the last step before an allocation reports the pool exhausted. Blocks
    /// other threads cache stay theirs (at most <see cref="ThreadCache.MaxDepth"/> per size class each),
    /// as blocks in another processor's lookaside do in the kernel. Returns true when anything moved.
    /// </summary>
    private bool ReleaseCachedBlocks(ThreadCache cache, bool paged)
    {
        bool released = false;
        int start = paged ? 2 * SizeClass.PerGroup : 0;
        for (int index = start; index < start + (2 * SizeClass.PerGroup); index++)
        {
            ref ThreadCache.FreeList list = ref cache.Lists[index];
            int count = list.Count;
            if (count > 0)
            {
                Flush(ref list, index, count);
                released = true;
            }
        }

        return released;
    }

    /// <summary>The page map of the chunk holding <paramref name="address"/>, or null when the address is in no chunk.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private BlockLayout[]? PageLayoutsOf(ThreadCache cache, nint address)
    {
        nint chunkBase = address & ~(nint)(PoolLayout.ChunkSize - 1);
        return chunkBase == cache.LastChunkBase ? cache.LastPageLayouts : FindChunk(cache, chunkBase);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private BlockLayout[]? FindChunk(ThreadCache cache, nint chunkBase)
    {
        BlockLayout[]? pageLayouts = _chunks.Find(chunkBase);
        if (pageLayouts is not null)
        {
            cache.LastChunkBase = chunkBase;
            cache.LastPageLayouts = pageLayouts;
        }

        return pageLayouts;
    }

    /// <summary>Zeroes the caller's bytes of a block (ExAllocatePool2/3 and the …Zero helpers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Clear(nint address, nuint numberOfBytes) => NativeMemory.Clear((void*)address, numberOfBytes);

    private static nint Fail(POOL_TYPE poolType, AllocationOptions options, NTSTATUS status, nuint numberOfBytes, PoolTag tag)
    {
        if ((options & AllocationOptions.RaiseOnFailure) == 0)
        {
            return 0;
        }

        string why = status == NTSTATUS.STATUS_QUOTA_EXCEEDED
            ? $"the current process's {(PoolTypes.IsPaged(poolType) ? "paged" : "nonpaged")} pool quota cannot cover {numberOfBytes} bytes tagged '{tag}'"
            : $"{(PoolTypes.IsPaged(poolType) ? "paged" : "nonpaged")} pool cannot satisfy {numberOfBytes} bytes tagged '{tag}' ({poolType})";
        throw BugCheck.Status(status, why);
    }
}
