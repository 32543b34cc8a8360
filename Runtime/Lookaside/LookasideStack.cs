using System;
using System.Diagnostics;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The free list of a lookaside list: a lock-free, bounded LIFO of entry addresses, the runtime's
/// SLIST_HEADER. Holds at most <see cref="Capacity"/> entries (a list's MaximumDepth).
/// </summary>
/// <remarks>
/// <para>
/// The kernel's SLIST pairs the head pointer with a depth and a sequence number and swaps all three
/// with one 128-bit compare-exchange, so a pop that read head A, then next B, fails if anyone
/// popped A and pushed it back in between (the ABA problem). .NET has no 128-bit CAS, so the
/// entries are not linked through their own memory. Instead each cached address sits in one of 384
/// slots, and a stack of slot indices replaces the pointer chain: a 9-bit index is small enough to
/// share one 64-bit word with a 9-bit depth and a 46-bit sequence number.
/// </para>
/// <para>
/// Two such stacks exist: <c>_cached</c> (slots holding entries, newest on top) and <c>_spare</c>
/// (empty slots). Every successful CAS on a head increments its sequence, so a CAS succeeds only if
/// no other CAS completed on that head since it was read. Hence, while the head is unchanged, its
/// top slot stayed in the stack, nobody could rewrite that slot's <c>_next</c> link (only a slot's
/// exclusive owner writes it, before pushing), and the popped link is the true successor: no ABA,
/// short of exactly 2^46 operations elapsing between one thread's read and its CAS. A slot taken
/// off either stack belongs to one thread alone until it pushes it on a stack, so its entry
/// address is handed to exactly one caller. Interlocked.CompareExchange is a full fence: writes to
/// a slot made before its push are visible to whoever pops it.
/// </para>
/// <para>
/// To cost two CASes per allocate/free pair, like the kernel's SLIST, rather than four, a thread
/// parks the slot its allocation emptied in a one-slot thread-local cache and fills that slot on
/// its next free, skipping the spare stack both times. A parked slot is still owned by exactly one
/// thread; it goes back to its stack's spare list when the thread parks another slot or, if the
/// thread dies holding it, from the holder's finalizer. There are 384 slots for at most 256 cached
/// entries, so parked slots cannot make a list at full depth refuse an entry unless more than 128
/// threads each hold one at once (and then the refusal is an ordinary free miss, nothing lost).
/// </para>
/// </remarks>
internal sealed class LookasideStack
{
    /// <summary>The most entries the stack caches: the kernel's maximum lookaside depth.</summary>
    public const int Capacity = 256;

    // Capacity plus room for 128 slots parked in threads; below the 511 a 9-bit index can name.
    private const int SlotCount = 384;

    private const int IndexBits = 9;
    private const ulong IndexMask = (1UL << IndexBits) - 1;
    private const int DepthShift = IndexBits;
    private const ulong DepthMask = (1UL << 9) - 1;
    private const int SequenceShift = DepthShift + 9;
    private const ulong SequenceOne = 1UL << SequenceShift;
    private const int Nil = (int)IndexMask;

    [ThreadStatic]
    private static ParkedSlot? t_parked;

    private readonly nint[] _entries = new nint[SlotCount];
    private readonly int[] _next = new int[SlotCount];
    private ulong _cached = Nil;
    private ulong _spare = Nil;

    public LookasideStack()
    {
        for (int slot = 0; slot < SlotCount; slot++)
        {
            bool pushed = PushSlot(ref _spare, slot, SlotCount);
            Debug.Assert(pushed, "a fresh spare stack has room for every slot");
        }
    }

    /// <summary>How many entries are cached (ExQueryDepthSList): a snapshot under concurrency.</summary>
    public int Count => (int)((Volatile.Read(ref _cached) >> DepthShift) & DepthMask);

    /// <summary>Empty slots on the spare stack (not counting those parked in threads): for tests.</summary>
    internal int SpareCount => (int)((Volatile.Read(ref _spare) >> DepthShift) & DepthMask);

    /// <summary>Every slot: cached, spare or parked in a thread.</summary>
    internal const int TotalSlots = SlotCount;

    /// <summary>Takes the most recently cached entry, or returns 0 when the stack is empty.</summary>
    public nint TryPop()
    {
        int slot = PopSlot(ref _cached);
        if (slot == Nil)
        {
            return 0;
        }

        nint entry = _entries[slot];
        Park(slot);
        return entry;
    }

    /// <summary>Caches <paramref name="entry"/> unless <paramref name="limit"/> entries are already cached.</summary>
    public bool TryPush(nint entry, int limit)
    {
        Debug.Assert(entry != 0, "NULL is the empty marker and never cached");

        // Cheap early out: a full list is the common miss, and it needs no slot shuffling.
        if (Count >= limit)
        {
            return false;
        }

        int slot = TakeSpareSlot();
        if (slot == Nil)
        {
            // Every slot is cached or held by a thread between its two steps: the list is full.
            return false;
        }

        _entries[slot] = entry;
        if (PushSlot(ref _cached, slot, limit))
        {
            return true;
        }

        _entries[slot] = 0;
        Park(slot);
        return false;
    }

    private void Park(int slot)
    {
        ParkedSlot parked = t_parked ??= new ParkedSlot();
        parked.Owner?.ReturnSpareSlot(parked.Slot);
        parked.Owner = this;
        parked.Slot = slot;
    }

    private int TakeSpareSlot()
    {
        ParkedSlot? parked = t_parked;
        if (parked is not null && ReferenceEquals(parked.Owner, this))
        {
            parked.Owner = null;
            return parked.Slot;
        }

        return PopSlot(ref _spare);
    }

    private void ReturnSpareSlot(int slot) => PushSlot(ref _spare, slot, SlotCount);

    private int PopSlot(ref ulong head)
    {
        while (true)
        {
            ulong observed = Volatile.Read(ref head);
            int top = (int)(observed & IndexMask);
            if (top == Nil)
            {
                return Nil;
            }

            // Possibly stale if another thread moves this slot meanwhile; the CAS then fails.
            int next = Volatile.Read(ref _next[top]);
            ulong depth = ((observed >> DepthShift) & DepthMask) - 1;
            ulong replacement = (uint)next | (depth << DepthShift) | NextSequence(observed);
            if (Interlocked.CompareExchange(ref head, replacement, observed) == observed)
            {
                return top;
            }
        }
    }

    private bool PushSlot(ref ulong head, int slot, int limit)
    {
        while (true)
        {
            ulong observed = Volatile.Read(ref head);
            ulong depth = (observed >> DepthShift) & DepthMask;
            if (depth >= (ulong)limit)
            {
                return false;
            }

            // The slot is ours alone until the CAS publishes it.
            _next[slot] = (int)(observed & IndexMask);
            ulong replacement = (uint)slot | ((depth + 1) << DepthShift) | NextSequence(observed);
            if (Interlocked.CompareExchange(ref head, replacement, observed) == observed)
            {
                return true;
            }
        }
    }

    // The sequence occupies the top 46 bits; adding one there wraps harmlessly at 2^64.
    private static ulong NextSequence(ulong observed) => (observed & ~(SequenceOne - 1)) + SequenceOne;

    /// <summary>A thread's one-slot cache; returns its slot if the thread dies holding one.</summary>
    private sealed class ParkedSlot
    {
        public LookasideStack? Owner;
        public int Slot;

        ~ParkedSlot() => Owner?.ReturnSpareSlot(Slot);
    }
}
