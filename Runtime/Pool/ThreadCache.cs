using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// One thread's view of one pool: free blocks per size class (the emulation of the kernel's
/// per-processor lookasides) and its stripe of the tag accounting. Touched only by its thread,
/// so nothing here needs a lock or an interlocked operation.
/// </summary>
internal sealed class ThreadCache
{
    /// <summary>Blocks a thread keeps per size class before it returns half of them to the shared list.</summary>
    public const int MaxDepth = 64;

    /// <summary>Blocks moved between the thread and the shared list at once.</summary>
    public const int Batch = MaxDepth / 2;

    /// <summary>
    /// Free lists by size class. Head and count sit side by side in one array so a pop or push touches
    /// one cache line, reached in one hop from the cache.
    /// </summary>
    public readonly FreeList[] Lists = new FreeList[SizeClass.Count];

    /// <summary>
    /// The chunk this thread freed into last and its page map: most frees hit the same chunk, and this
    /// skips the chunk-table probe (chunks live as long as the pool, so the pair never goes stale).
    /// </summary>
    public nint LastChunkBase = -1;

    /// <summary>The page map of <see cref="LastChunkBase"/>.</summary>
    public BlockLayout[]? LastPageLayouts;

    /// <summary>The thread's freed runs of pages, reused by its next page-granular requests.</summary>
    public readonly PageRunCache Runs = new();

    /// <summary>The thread's accounting stripe; a struct field, so updating it costs no extra hop.</summary>
    public TagCounters Tags = new();

    private readonly WeakThread _thread = new(Thread.CurrentThread);

    public ThreadCache(PoolAllocator owner) => Owner = owner;

    public PoolAllocator Owner { get; }

    /// <summary>The last tag this thread allocated with that passed validation; saves re-validating a tag used in a loop. Starts at a value no valid tag has (byte 0x7F).</summary>
    public uint LastValidTag = uint.MaxValue;

    /// <summary>True once the thread that owns the cache has exited; its free blocks can then be adopted.</summary>
    public bool IsOrphaned => !_thread.IsAlive;

    /// <summary>
    /// An intrusive list of free blocks (header addresses). Each free block keeps in its body the next
    /// block (offset 0) and the length of the list from itself to the end (offset 8), so the list needs
    /// no separate counter: a counter updated by both pop and push would be a memory dependency carried
    /// from every allocation to the next free and back.
    /// </summary>
    internal unsafe struct FreeList
    {
        public nint Head;

        /// <summary>Blocks on the list.</summary>
        public readonly int Count => Head == 0 ? 0 : DepthOf(Head);

        public static ref nint NextOf(nint block) => ref *(nint*)(block + PoolHeader.Size);

        public static ref int DepthOf(nint block) => ref *(int*)(block + PoolHeader.Size + sizeof(nint));

        /// <summary>Links <paramref name="block"/> in front; <paramref name="depth"/> is the new length.</summary>
        public void Push(nint block, int depth)
        {
            NextOf(block) = Head;
            DepthOf(block) = depth;
            Head = block;
        }

        /// <summary>Makes an empty list hold the chain starting at <paramref name="first"/> (<paramref name="count"/> blocks linked through <see cref="NextOf"/>).</summary>
        public void Install(nint first, int count)
        {
            Head = first;
            for (nint block = first; block != 0; block = NextOf(block))
            {
                DepthOf(block) = count--;
            }
        }

        /// <summary>Detaches the first <paramref name="count"/> blocks and returns the first; <paramref name="last"/> is the last one (its link is stale).</summary>
        public nint TakeFront(int count, out nint last)
        {
            nint first = Head;
            last = first;
            for (int i = 1; i < count; i++)
            {
                last = NextOf(last);
            }

            // The remaining blocks' depths still count to the end of the list, so they stay correct.
            Head = NextOf(last);
            return first;
        }
    }

    private sealed class WeakThread(Thread thread)
    {
        private readonly System.WeakReference<Thread> _reference = new(thread);

        public bool IsAlive => _reference.TryGetTarget(out Thread? thread) && thread.IsAlive;
    }
}
