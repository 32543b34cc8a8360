using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The pools of one <see cref="KernelSystem"/>: where every <c>ExAllocatePool*</c> and
/// <c>ExFreePool*</c> call arrives and is sent on.
/// </summary>
/// <remarks>
/// <para>The layers, in the order a request passes them:</para>
/// <list type="number">
/// <item><b>Entry and dispatch</b> (this class): the static entry points find the calling thread's
/// cache; the small-block or page-granular fast path runs when it applies, else the general path checks the request
/// (IRQL, type, tag, size, verifier, priority; PoolAllocator.Requests.cs) or the free (PoolAllocator.Frees.cs)
/// and sends it to one of the heaps.</item>
/// <item><b>Small-block heap</b> (SmallBlocks/): one size-class mapping, thread caches, depots, validation.</item>
/// <item><b>Chunks</b> (Chunks/): the 64 KiB chunks small-block pages come from and the page maps that
/// validate an address.</item>
/// <item><b>Capacity and quota</b> (Capacity/): the pool sizes with their condition events, and the
/// quota processes.</item>
/// </list>
/// <para>Page-granular blocks live on their own: big pages (BigPages/: the lock-free page map, the
/// threads' run caches and page credit) and special pool (SpecialPool/), both recorded in the big-page table. Tag accounting (Accounting/) is striped per thread cache, and
/// the caches themselves (PoolAllocator.Caches.cs) are retired through <see cref="PerThreadCaches{TCache}"/>
/// when their thread exits.</para>
/// </remarks>
internal sealed partial class PoolAllocator : IDisposable
{
    internal static readonly PoolTag NoneTag = "None";

    private readonly SmallBlockHeap _small;
    private readonly BigPageTable _pageBlocks = new();
    private readonly BigPageHeap _bigPages;
    private readonly SpecialPool _specialPool;
    private readonly QuotaLedger _quota;

    // Null when every verifier check is off, so the general path pays one null test for all of them.
    private readonly DriverVerifier? _verifier;

    // Read on every general-path call; written once by Dispose (or by Halt when the machine crashes).
    // It turns a use that happens after Dispose (on the disposing thread, or on one synchronized with
    // it) into ObjectDisposedException; such a use is already ordered after the write, so a plain field
    // suffices. Using the pool while another thread disposes it is a race the caller owns.
    private bool _disposed;
    private int _disposeStarted;

    public PoolAllocator(KernelSystem system, SystemConfiguration configuration, DriverVerifier verifier)
    {
        System = system;
        Paged = new PoolCapacity(paged: true, configuration.PagedPoolSize);
        NonPaged = new PoolCapacity(paged: false, configuration.NonPagedPoolSize);
        _quota = new QuotaLedger(system);
        _verifier = configuration.Verifier.AnyEnabled ? verifier : null;
        _small = new SmallBlockHeap(Paged, NonPaged, _quota, _verifier);
        _bigPages = new BigPageHeap(Paged, NonPaged, _pageBlocks);
        _specialPool = new SpecialPool(_bigPages, _pageBlocks, _quota);
        _caches = new PerThreadCaches<ThreadCache>(RetireCache);
    }

    public KernelSystem System { get; }

    /// <summary>The page-granular heap: the thread caches reach its fast paths through it.</summary>
    internal BigPageHeap BigPages => _bigPages;

    public PoolCapacity Paged { get; }

    public PoolCapacity NonPaged { get; }

    public KernelProcess SystemProcess => _quota.SystemProcess;

    /// <summary>The process the calling thread allocates for: the attached one, or System.</summary>
    public KernelProcess CurrentProcess => _quota.CurrentProcess;

    public KernelProcess CreateProcess(string name, ulong pagedPoolQuotaLimit, ulong nonPagedPoolQuotaLimit)
        => _quota.CreateProcess(name, pagedPoolQuotaLimit, nonPagedPoolQuotaLimit);

    /// <summary>Allocates from the calling thread's current machine.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint Allocate(POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag, AllocationOptions options)
    {
        KernelThread thread = KernelThread.Current;
        return AllocateWith(thread.Irql, thread.PoolCache ?? CacheOfCurrentMachine(thread), poolType, numberOfBytes, tag, options);
    }

    /// <summary>Frees to the calling thread's current machine.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Free(nint address, PoolTag tag)
    {
        KernelThread thread = KernelThread.Current;
        FreeWith(thread.Irql, thread.PoolCache ?? CacheOfCurrentMachine(thread), address, tag);
    }

    /// <summary>
    /// Allocates from this machine whichever machine is current on the calling thread: the default
    /// Allocate routine of a lookaside list, whose entries belong to the machine it was initialized on.
    /// </summary>
    public nint AllocateFromThisMachine(POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag)
    {
        KernelThread thread = KernelThread.Current;
        return AllocateWith(thread.Irql, CacheFor(thread), poolType, numberOfBytes, tag, PoolTypes.Options(poolType));
    }

    /// <summary>Frees to this machine whichever machine is current on the calling thread (a lookaside list's default Free routine).</summary>
    public void FreeToThisMachine(nint address)
    {
        KernelThread thread = KernelThread.Current;
        FreeWith(thread.Irql, CacheFor(thread), address, default);
    }

    public void Dispose()
    {
        // Exactly one caller releases the memory, however many threads dispose at once.
        if (Interlocked.Exchange(ref _disposeStarted, 1) != 0)
        {
            return;
        }

        Halt();
        _small.Release();
        _pageBlocks.Dispose();
        _specialPool.Dispose();
        ReleaseRunCaches();
        Paged.Dispose();
        NonPaged.Dispose();
    }

    /// <summary>
    /// The machine crashed (a DPC routine bug-checked) or is being disposed: every later call leaves
    /// the fast paths and the general path throws the crash or <see cref="ObjectDisposedException"/>.
    /// A halt alone keeps the memory mapped, since a driver thread may still be using its blocks.
    /// </summary>
    internal void Halt()
    {
        // The flag first: a cache registered from now on closes itself (FindOrCreateCache), and every
        // cache registered before is in the snapshot below.
        Volatile.Write(ref _disposed, true);
        Interlocked.MemoryBarrier();
        foreach (ThreadCache cache in _caches.Live)
        {
            Volatile.Write(ref cache.FastPathsClosed, true);
        }
    }

    /// <summary>A fast path when one applies (never for quota, priority or special-pool requests), else the general one.</summary>
    /// <remarks>
    /// Only the small-block fast path is inlined into the entry point; the page-granular fast path and
    /// the general path sit behind one call, which finds the thread again through the cache
    /// (<see cref="ThreadCache.Thread"/>). The warm small pair then runs in a frame that keeps only the
    /// IRQL, the cache and the arguments, at the price of one extra call for page-granular requests (a
    /// page-granular pair costs far more than a call).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint AllocateWith(KIRQL irql, ThreadCache cache, POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag, AllocationOptions options)
    {
        if ((options & ~AllocationOptions.FastPathable) == 0
            && SmallBlockHeap.TryAllocateFast(irql, cache, poolType, numberOfBytes, tag, out nint block))
        {
            return ZeroedIfAsked(block, numberOfBytes, options);
        }

        return AllocateBeyondSmallFastPath(cache, poolType, numberOfBytes, tag, options);
    }

    /// <summary>The page-granular fast path when it applies, else the general path.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static nint AllocateBeyondSmallFastPath(ThreadCache cache, POOL_TYPE poolType, nuint numberOfBytes, PoolTag tag, AllocationOptions options)
    {
        KernelThread thread = cache.Thread;
        if ((options & ~AllocationOptions.FastPathable) == 0)
        {
            nint block = cache.BigPages.TryAllocateFast(thread.Irql, cache, poolType, numberOfBytes, tag);
            if (block != 0)
            {
                return ZeroedIfAsked(block, numberOfBytes, options);
            }
        }

        return cache.Pool.AllocateChecked(thread, cache, poolType, numberOfBytes, tag, options);
    }

    /// <summary>A block from a fast path, cleared when the request asked for zeroed memory.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static nint ZeroedIfAsked(nint block, nuint numberOfBytes, AllocationOptions options)
    {
        if ((options & AllocationOptions.Zero) != 0)
        {
            Clear(block, numberOfBytes);
        }

        return block;
    }

    /// <summary>The small-block fast free when it applies, else <see cref="FreeBeyondSmallFastPath"/> (out of line, as for allocation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FreeWith(KIRQL irql, ThreadCache cache, nint address, PoolTag tag)
    {
        if (!SmallBlockHeap.TryFreeFast(irql, cache, address, tag))
        {
            FreeBeyondSmallFastPath(cache, address, tag);
        }
    }

    /// <summary>The page-granular fast free when it applies, else the general path.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FreeBeyondSmallFastPath(ThreadCache cache, nint address, PoolTag tag)
    {
        KernelThread thread = cache.Thread;
        if (!cache.BigPages.TryFreeFast(thread.Irql, cache, address, tag))
        {
            cache.Pool.FreeChecked(thread, cache, address, tag);
        }
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
        // A crashed machine halts its pool the same way and reports the crash instead.
        System.ThrowCrashIfAny();
        throw new ObjectDisposedException(nameof(KernelSystem), "The KernelSystem that owns this pool has been disposed; its memory is released.");
    }

    /// <summary>Zeroes the caller's bytes of a block (ExAllocatePool2/3 and the …Zero helpers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Clear(nint address, nuint numberOfBytes) => NativeMemory.Clear((void*)address, numberOfBytes);
}
