using System.Runtime.CompilerServices;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// One thread's view of one pool: its free small blocks per size class (the emulation of the kernel's
/// per-processor lookasides), its freed page runs, its stripe of the tag accounting and the chunk it
/// freed into last. Touched only by its thread (and by the pool once the thread has exited or the
/// machine is torn down), so nothing here needs a lock or an interlocked operation.
/// </summary>
internal sealed class ThreadCache : IThreadOwned
{
    /// <summary>Blocks a thread keeps per size class before it returns half of them to the class's depot.</summary>
    public const int Capacity = 64;

    /// <summary>Blocks moved between the thread and the depot at once.</summary>
    public const int Batch = Capacity / 2;

    /// <summary>
    /// Free blocks by size class index, in runtime memory: nothing the driver writes decides what is
    /// handed out. Inline in this object (16 KiB), so the fast paths reach a class's stack with no
    /// load of an array reference first: one dependent load less on every warm allocation and free.
    /// </summary>
    public StackTable Stacks;

    /// <summary>
    /// The chunk this thread freed into last and its page map: most frees hit the same chunk, and this
    /// skips the chunk-table probe (chunks live as long as the pool, so the pair never goes stale).
    /// </summary>
    public nint LastChunkBase = -1;

    /// <summary>The page map of <see cref="LastChunkBase"/>.</summary>
    public BlockLayout[]? LastPageLayouts;

    /// <summary>The thread's freed runs of pages, reused by its next page-granular requests.</summary>
    public readonly PageRunCache Runs = new();

    /// <summary>Pool capacity the thread charged for page-granular blocks and holds in reserve (see <see cref="BigPageHeap"/>).</summary>
    public PageCredit Credit;

    /// <summary>The thread's accounting stripe; a struct field, so updating it costs no extra hop.</summary>
    public TagCounters Tags = new();

    /// <summary>
    /// Set when the fast paths must not run for this cache: the verifier is on (its checks live on the
    /// general path), or the pool is disposed or halted. Kept here, not in the pool, so the fast paths
    /// read only the thread's own cache. Written once, with a release write, by whoever closes the pool
    /// (see PoolAllocator.Halt); a use ordered after that sees it, and using the pool while another
    /// thread disposes it is a race the caller owns.
    /// </summary>
    public bool FastPathsClosed;

    /// <summary>The last tag this thread allocated with that passed validation; saves re-validating a tag used in a loop. Starts at a value no valid tag has (byte 0x7F).</summary>
    public uint LastValidTag = uint.MaxValue;

    public ThreadCache(PoolAllocator pool, KernelThread thread)
    {
        Pool = pool;
        Thread = thread;
        BigPages = pool.BigPages;
    }

    /// <summary>The pool's big-page heap, for the page-granular fast paths (which read only the thread's cache).</summary>
    public BigPageHeap BigPages { get; }

    public PoolAllocator Pool { get; }

    public KernelThread Thread { get; }

    /// <summary>One <see cref="FreeBlockStack"/> per size class index.</summary>
    [InlineArray(SizeClasses.Count)]
    internal struct StackTable
    {
        private FreeBlockStack _first;
    }
}

/// <summary>
/// The free blocks of one size class a thread caches: header addresses, newest on top. The array is
/// created with the class's first refill and holds at most <see cref="ThreadCache.Capacity"/> blocks.
/// </summary>
internal struct FreeBlockStack
{
    public nint[]? Items;
    public int Count;
}
