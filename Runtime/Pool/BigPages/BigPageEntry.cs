using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// What the big-page table knows about one address a page-granular block was handed out at: the
/// block while it is live, and that it was freed once it is not. One state word, changed with a
/// release write by the allocation (which owns the memory alone) and with a compare-exchange by the
/// free, decides which: of two frees racing on one block exactly one claims it.
/// </summary>
/// <remarks>
/// The state word is a generation count above a two-bit kind. Every allocation at the address starts
/// a new generation, so a free that read the block of one generation can never claim a later one
/// (a stale free racing with the address's reuse loses its compare-exchange and is a double free).
/// </remarks>
internal sealed class BigPageEntry
{
    // Kind 0: created for an allocation that has not published its block yet.
    private const long KindMask = 3;
    private const long Live = 1;
    private const long Freed = 2;

    // Written only while the state is not live, by the one thread that owns the address's memory.
    private LargeBlock _block;
    private long _state;

    public BigPageEntry(nint address) => Address = address;

    /// <summary>The address blocks of this entry are handed out at (the table's key).</summary>
    public nint Address { get; }

    /// <summary>The state word now: pass it to <see cref="TryClaimFree"/> after checking <see cref="IsLive"/>.</summary>
    public long State => Volatile.Read(ref _state);

    /// <summary>True when a block was handed out here and freed, and nothing handed out since.</summary>
    public bool IsFreed => (State & KindMask) == Freed;

    /// <summary>
    /// The block. Stable while the state read before it is live and the caller's claim has not failed;
    /// after a successful <see cref="TryClaimFree"/> it stays stable until the claimer gives the memory away.
    /// </summary>
    public ref readonly LargeBlock Block => ref _block;

    public static bool IsLive(long state) => (state & KindMask) == Live;

    /// <summary>Hands a block out here: the record first, then the new generation's live state with a release write.</summary>
    public void Publish(in LargeBlock block)
    {
        _block = block;
        long state = _state;
        Volatile.Write(ref _state, (((state >> 2) + 1) << 2) | Live);
    }

    /// <summary>
    /// Hands a block out again on the pages of a run a thread cached with this entry: the base and
    /// page count are the last block's (a run is cached by its page count, its entry by its base),
    /// and a big-page block has no special-pool fields, so only the request's own fields are written.
    /// </summary>
    public void PublishRun(PoolTag tag, POOL_TYPE poolType, nuint numberOfBytes, bool tracked)
    {
        _block.Tag = tag;
        _block.PoolType = poolType;
        _block.RequestedBytes = numberOfBytes;
        _block.Tracked = tracked;
        long state = _state;
        Volatile.Write(ref _state, (((state >> 2) + 1) << 2) | Live);
    }

    /// <summary>Claims the live block of <paramref name="observedLive"/> for a free; false when another free claimed it first.</summary>
    public bool TryClaimFree(long observedLive)
        => Interlocked.CompareExchange(ref _state, (observedLive & ~KindMask) | Freed, observedLive) == observedLive;

    /// <summary>A copy of the block if it is live, checked against the state before and after the copy (for the error paths' scans).</summary>
    public bool TryReadLive(out LargeBlock block)
    {
        long state = State;
        if (IsLive(state))
        {
            block = _block;
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref _state) == state)
            {
                return true;
            }
        }

        block = default;
        return false;
    }

    /// <summary>The machine is going away: a live block's memory is handed to the caller to release, and the entry is left freed.</summary>
    public bool TryRetireForDispose(out nint memory)
    {
        long state = State;
        memory = _block.Base;
        return IsLive(state) && TryClaimFree(state);
    }
}
