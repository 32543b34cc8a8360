using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The big-page table: one <see cref="BigPageEntry"/> per address a page-granular block (big-page or
/// special-pool) was ever handed out at, holding the block while it is live and remembering that it
/// was freed afterwards, so a second free is reported as a double free however many frees happened
/// in between.
/// </summary>
/// <remarks>
/// <para>
/// Lookups take no lock: the table is an open-addressed array of (address, entry) pairs, probed
/// linearly from a Fibonacci hash of the page number. An entry is never removed, so an address that
/// is handed out again (a run from the thread's run cache, or the OS allocator reusing a range)
/// finds its own entry and only flips that entry's state word: an allocate + free pair writes the
/// record and makes two state changes, with no lock, no insert and no remove. Only an address the
/// table has never seen takes the insert lock; growing copies the array and publishes the copy
/// with a release write, so a reader sees the old or the new array, each complete.
/// </para>
/// <para>
/// The entries therefore grow with the distinct addresses page-granular blocks ever had, which the
/// run caches and the OS allocator's reuse of freed ranges bound in practice (as the set of freed
/// addresses the table kept before did).
/// </para>
/// </remarks>
internal sealed unsafe class BigPageTable : IDisposable
{
    private const int InitialSlots = 256;

    private readonly object _insertLock = new();
    private Slots _slots = new(InitialSlots);

    /// <summary>Fresh page-aligned memory for <paramref name="pages"/> pages from the OS; 0 when the OS has none.</summary>
    public static nint AllocatePages(int pages)
    {
        try
        {
            return (nint)NativeMemory.AlignedAlloc((nuint)pages * PoolLayout.PageSize, PoolLayout.PageSize);
        }
        catch (OutOfMemoryException)
        {
            return 0;
        }
    }

    public static void FreePages(nint memory) => NativeMemory.AlignedFree((void*)memory);

    /// <summary>The entry of <paramref name="address"/>, live or freed; null when no block was ever handed out there. Lock-free.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public BigPageEntry? Find(nint address)
    {
        Slots slots = Volatile.Read(ref _slots);
        nint[] keys = slots.Keys;
        int mask = keys.Length - 1;
        for (int i = Hash(address) & mask; ; i = (i + 1) & mask)
        {
            // The key is published after the entry (see Insert): a key read here has its entry.
            nint key = Volatile.Read(ref keys[i]);
            if (key == address)
            {
                return slots.Entries[i];
            }

            if (key == 0)
            {
                return null;
            }
        }
    }

    /// <summary>Records a block handed out at <paramref name="address"/>, whose memory the caller owns alone, in the address's entry (created on first use).</summary>
    public BigPageEntry Publish(nint address, in LargeBlock block)
    {
        BigPageEntry entry = Find(address) ?? Insert(address);
        entry.Publish(block);
        return entry;
    }

    /// <summary>True when <paramref name="address"/> was handed out and freed, and not handed out since.</summary>
    public bool WasFreed(nint address) => Find(address)?.IsFreed == true;

    /// <summary>
    /// The live block whose pages hold <paramref name="address"/> and the address it was handed out
    /// at; false when none does. Looks through every entry: only a free that is already a bug check asks.
    /// </summary>
    public bool TryFindContaining(nint address, out nint start, out LargeBlock block)
    {
        foreach (BigPageEntry? entry in Volatile.Read(ref _slots).Entries)
        {
            if (entry is not null && entry.TryReadLive(out LargeBlock live) && (nuint)address - (nuint)live.Base < (nuint)live.Bytes)
            {
                start = entry.Address;
                block = live;
                return true;
            }
        }

        start = 0;
        block = default;
        return false;
    }

    /// <summary>Returns the memory of every block still outstanding to the OS (the machine is going away).</summary>
    public void Dispose()
    {
        lock (_insertLock)
        {
            foreach (BigPageEntry? entry in _slots.Entries)
            {
                if (entry is not null && entry.TryRetireForDispose(out nint memory))
                {
                    FreePages(memory);
                }
            }
        }
    }

    private BigPageEntry Insert(nint address)
    {
        lock (_insertLock)
        {
            // Another thread cannot insert this address meanwhile (its memory is the caller's alone),
            // but a freed special-pool address may be reached by two paths; look once more under the lock.
            BigPageEntry? existing = Find(address);
            if (existing is not null)
            {
                return existing;
            }

            Slots slots = _slots;
            if ((slots.Count + 1) * 2 > slots.Keys.Length)
            {
                slots = slots.Grown();
                Volatile.Write(ref _slots, slots);
            }

            var entry = new BigPageEntry(address);
            slots.Put(address, entry);
            return entry;
        }
    }

    // Fibonacci hashing of the page number: a thread's blocks, and different threads' blocks, spread
    // over the table instead of clustering in neighbouring slots.
    private static int Hash(nint address) => (int)((((ulong)address >> PoolLayout.PageShift) * 0x9E3779B97F4A7C15UL) >> 40);

    /// <summary>One generation of the table's arrays; replaced whole when it grows.</summary>
    private sealed class Slots
    {
        public readonly nint[] Keys;
        public readonly BigPageEntry?[] Entries;
        public int Count;

        public Slots(int length)
        {
            Keys = new nint[length];
            Entries = new BigPageEntry?[length];
        }

        public Slots Grown()
        {
            var next = new Slots(Keys.Length * 2);
            for (int i = 0; i < Keys.Length; i++)
            {
                if (Entries[i] is { } entry)
                {
                    next.Put(Keys[i], entry);
                }
            }

            return next;
        }

        /// <summary>Adds a pair; the caller holds the insert lock (or owns an unpublished copy).</summary>
        public void Put(nint address, BigPageEntry entry)
        {
            int mask = Keys.Length - 1;
            int i = Hash(address) & mask;
            while (Keys[i] != 0)
            {
                i = (i + 1) & mask;
            }

            // The entry first, then the key with a release write: a reader that finds the key finds the entry.
            Entries[i] = entry;
            Volatile.Write(ref Keys[i], address);
            Count++;
        }
    }
}
