using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// What every lookaside list holds: its cached entries, its callbacks and the counters the kernel
/// keeps in GENERAL_LOOKASIDE. Use <see cref="NPAGED_LOOKASIDE_LIST"/> or <see cref="PAGED_LOOKASIDE_LIST"/>.
/// </summary>
/// <remarks>
/// <para>
/// Entries are cached in two tiers, as the kernel caches system lists per processor: each thread
/// keeps up to 16 in a front cache of its own (no lock, no interlocked instruction), in front of
/// one shared lock-free LIFO (an ABA-safe SLIST). An allocation pops the thread's cache, then the
/// shared list, and only then calls the Allocate routine (a miss); a free is a miss, which calls
/// the Free routine, when the shared list and the thread's own cache already hold
/// <see cref="Depth"/> entries. On one thread that is exactly the kernel's rule and every counter
/// is exact; with several threads each thread judges by the shared list and its own cache, so the
/// list may cache up to 16 entries per other thread beyond Depth (the kernel's own depth check,
/// a read followed by a separate push, is not atomic either).
/// </para>
/// <para>
/// Each thread counts its own operations; the counters read here are the sums, exact once the
/// threads are quiescent. No entry is ever lost or handed out twice: a thread's cache is touched
/// by that thread alone, and the entries of a thread that exits move to the shared list (or go to
/// the Free routine) at the next depth scan, the next thread's first use, the next allocation that
/// would miss, or deletion; the front caches are registered and retired through
/// <see cref="PerThreadCaches{TCache}"/>, the mechanism the pool's thread caches use. Deleting a
/// list while other threads still use it is a caller error, as in the kernel.
/// </para>
/// <para>
/// <see cref="Depth"/> starts at 4 and is re-tuned by the owning <see cref="KernelSystem"/>'s scan
/// between 4 and <see cref="MaximumDepth"/> (256).
/// </para>
/// </remarks>
public abstract class GENERAL_LOOKASIDE
{
    /// <summary>The smallest entry a lookaside list accepts: a pointer (LOOKASIDE_MINIMUM_BLOCK_SIZE).</summary>
    public const uint LOOKASIDE_MINIMUM_BLOCK_SIZE = 8;

    /// <summary>The depth a list starts at, and the floor of the depth scan.</summary>
    public const ushort MinimumDepth = 4;

    /// <summary>The highest depth the scan may give a list.</summary>
    public const ushort MaximumLookasideDepth = LookasideStack.Capacity;

    private static int s_nextSlot;

    // Generations are unique across all lists, so a thread's front cache matches exactly one list in
    // one life by comparing one number (see _generation).
    private static long s_lastGeneration;

    // Where this list's front cache sits in each thread's table (KernelThread.Magazines); lists are
    // spread round-robin, so a thread using up to 16 lists finds each in one probe.
    private readonly int _slot = Interlocked.Increment(ref s_nextSlot) & (KernelThread.MagazineSlots - 1);

    private readonly object _registryLock = new();

    // Odd while initialized, even after deletion, 0 before the first initialization. Each
    // initialization takes a fresh odd number from s_lastGeneration and deletion adds one, so a front
    // cache (stamped with the odd number of its list's life) matches only that list in that life.
    private long _generation;

    private LookasideStack? _list;

    // Every thread's front cache of the current generation, registered and retired (when its thread
    // exits) by the mechanism the pool's thread caches share; written under _registryLock, read
    // without a lock (counter sums). Replaced by each initialization.
    private PerThreadCaches<LookasideMagazine> _caches;

    // Entries of retired front caches that did not fit the shared list: the retire routine (which
    // runs under the registry's locks) collects them, the caller passes them to the Free routine
    // once it has left the locks. Guarded by _registryLock.
    private List<nint>? _retiredOverflow;

    // Null means the default routine: the pool of the machine the list was initialized on (Owner),
    // not whichever machine is current on the calling thread.
    private PALLOCATE_FUNCTION? _allocate;
    private PFREE_FUNCTION? _free;
    private int _depth;

    // The counts of front caches no longer registered (their thread exited, or the list was deleted).
    private uint _retiredTotalAllocates;
    private uint _retiredAllocateMisses;

    // Entries deletion drained from the cache (they left it without an allocation). With it, TotalFrees
    // needs no counter of its own (see TotalFrees).
    private uint _drained;

    // ListHeadDepth of the shared list, refreshed after every push or pop there: read on the free fast
    // path instead of the list head itself. Exact on one thread; under concurrency a stale value only
    // shifts a free between the fast path and PushFrontCache, which decides on the live count.
    private int _sharedCount;
    private uint _retiredFreeMisses;

    private const string MemoryReleased = "its lookaside lists are unusable and their cached entries released";

    private protected GENERAL_LOOKASIDE()
    {
        _caches = new PerThreadCaches<LookasideMagazine>(RetireOrphan);
    }

    /// <summary>Allocations requested (hits and misses).</summary>
    public uint TotalAllocates => SumCounters(static m => m.TotalAllocates, Volatile.Read(ref _retiredTotalAllocates));

    /// <summary>Allocations the list could not serve, which called the Allocate routine.</summary>
    public uint AllocateMisses => SumCounters(static m => m.AllocateMisses, Volatile.Read(ref _retiredAllocateMisses));

    /// <summary>Allocations served from the list: <see cref="TotalAllocates"/> − <see cref="AllocateMisses"/> (ULONG arithmetic, as in the kernel's union).</summary>
    public uint AllocateHits => TotalAllocates - AllocateMisses;

    /// <summary>Entries returned (cached or not).</summary>
    /// <remarks>
    /// Derived rather than counted, which keeps a counter update off the free fast path: every free
    /// either enters the cache or is a free miss, and entries leave the cache only by allocation hits
    /// or draining, so TotalFrees = cached + hits + drained + FreeMisses.
    /// </remarks>
    public uint TotalFrees => (uint)ListHeadDepth + AllocateHits + Volatile.Read(ref _drained) + FreeMisses;

    /// <summary>Returns the list was too full to cache, which called the Free routine.</summary>
    public uint FreeMisses => SumCounters(static m => m.FreeMisses, Volatile.Read(ref _retiredFreeMisses));

    /// <summary>How many entries the list may currently cache; tuned by the depth scan.</summary>
    public ushort Depth => (ushort)Volatile.Read(ref _depth);

    /// <summary>The highest <see cref="Depth"/> the scan may set (256).</summary>
    public ushort MaximumDepth { get; private set; }

    /// <summary>The size of every entry in bytes.</summary>
    public uint Size { get; private set; }

    /// <summary>The pool tag passed to the Allocate routine.</summary>
    public PoolTag Tag { get; private set; }

    /// <summary>The pool type passed to the Allocate routine: the list's base type with the accepted flags ORed in.</summary>
    public POOL_TYPE Type { get; private set; }

    /// <summary><see cref="TotalAllocates"/> at the previous depth scan.</summary>
    public uint LastTotalAllocates { get; private set; }

    /// <summary><see cref="AllocateMisses"/> at the previous depth scan.</summary>
    public uint LastAllocateMisses { get; private set; }

    /// <summary>How many entries are cached right now, in the shared list and every thread's front cache (a snapshot under concurrency).</summary>
    public int ListHeadDepth
    {
        get
        {
            int cached = _list?.Count ?? 0;
            foreach (LookasideMagazine magazine in Volatile.Read(ref _caches).Live)
            {
                cached += Volatile.Read(ref magazine.Count) + (Volatile.Read(ref magazine.Hot) != 0 ? 1 : 0);
            }

            return cached;
        }
    }

    /// <summary>True between initialization and deletion.</summary>
    public bool IsInitialized => (Volatile.Read(ref _generation) & 1) != 0;

    internal KernelSystem? Owner { get; private set; }

    private protected abstract string KindName { get; }

    private protected abstract string InitializeRoutine { get; }

    internal void Initialize(string routine, PALLOCATE_FUNCTION? allocate, PFREE_FUNCTION? free, POOL_TYPE type, nuint size, PoolTag tag)
    {
        if (size < LOOKASIDE_MINIMUM_BLOCK_SIZE)
        {
            throw new ArgumentException(
                $"{routine}: Size {size} is below LOOKASIDE_MINIMUM_BLOCK_SIZE ({LOOKASIDE_MINIMUM_BLOCK_SIZE} bytes): a free entry must hold a list link.",
                "Size");
        }

        if (size > uint.MaxValue)
        {
            throw new ArgumentException($"{routine}: Size {size} does not fit the list's ULONG size field.", "Size");
        }

        KernelSystem owner = KernelSystem.Current;
        owner.ThrowIfUnusable(routine, MemoryReleased);
        lock (_registryLock)
        {
            // A list of a machine that was disposed (or crashed) may start again on another one.
            if (IsInitialized && Owner?.IsUnusable != true)
            {
                throw new InvalidOperationException(
                    $"{routine}: this {KindName} is already initialized; delete it before initializing it again.");
            }

            _list = new LookasideStack();
            Volatile.Write(ref _caches, new PerThreadCaches<LookasideMagazine>(RetireOrphan));
            _allocate = allocate;
            _free = free;
            _retiredTotalAllocates = 0;
            _retiredAllocateMisses = 0;
            _drained = 0;
            _sharedCount = 0;
            _retiredFreeMisses = 0;
            LastTotalAllocates = 0;
            LastAllocateMisses = 0;
            _depth = MinimumDepth;
            MaximumDepth = MaximumLookasideDepth;
            Size = (uint)size;
            Tag = tag;
            Type = type;
            Owner = owner;

            // Publishes everything above: a thread that sees the new generation sees the new list.
            Volatile.Write(ref _generation, Interlocked.Add(ref s_lastGeneration, 2) - 1);
        }

        owner.RegisterLookaside(this);
    }

    /// <summary>Takes an entry: the thread's front cache, the shared list, else the Allocate routine.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal nint Allocate(KernelThread thread, string routine)
    {
        LookasideMagazine magazine = MagazineSlot(thread);
        return magazine.Generation == _generation ? TakeEntry(magazine) : AllocateSlow(thread, routine);
    }

    /// <summary>Caches an entry in the thread's front cache or the shared list, or calls the Free routine when the list holds Depth entries.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Free(KernelThread thread, string routine, nint entry)
    {
        LookasideMagazine magazine = MagazineSlot(thread);
        if (entry != 0 && magazine.Generation == _generation)
        {
            if (magazine.Hot == 0 && magazine.Count + _sharedCount < _depth)
            {
                magazine.Hot = entry;
                return;
            }

            PushFrontCache(magazine, entry);
            return;
        }

        FreeSlow(thread, routine, entry);
    }

    internal void Delete(string routine)
    {
        LookasideMagazine[] magazines;
        LookasideStack list;
        lock (_registryLock)
        {
            ThrowIfNotLive(routine);
            Owner?.ThrowIfUnusable(routine, MemoryReleased);
            Volatile.Write(ref _generation, _generation + 1);
            list = _list!;
            magazines = _caches.RemoveAll();
            foreach (LookasideMagazine magazine in magazines)
            {
                Retire(magazine);
            }
        }

        Owner?.UnregisterLookaside(this);
        foreach (LookasideMagazine magazine in magazines)
        {
            if (magazine.Hot != 0)
            {
                Drain(magazine.Hot);
                magazine.Hot = 0;
            }

            for (int i = magazine.Count - 1; i >= 0; i--)
            {
                Drain(magazine.Items[i]);
            }

            magazine.Count = 0;
        }

        for (nint entry = list.TryPop(); entry != 0; entry = list.TryPop())
        {
            Drain(entry);
        }

        Volatile.Write(ref _sharedCount, 0);
    }

    /// <summary>One step of the kernel's depth tuning (ExAdjustLookasideDepth) over the counts since the previous step.</summary>
    internal void AdjustDepth(double elapsedSeconds)
    {
        AdoptOrphans();
        uint total = TotalAllocates;
        uint misses = AllocateMisses;

        // ULONG differences, like the kernel's: correct across counter wraparound.
        uint allocates = total - LastTotalAllocates;
        uint missed = misses - LastAllocateMisses;
        LastTotalAllocates = total;
        LastAllocateMisses = misses;
        Volatile.Write(ref _depth, ComputeDepth(allocates, missed, elapsedSeconds, Depth, MaximumDepth));
    }

    /// <summary>
    /// The kernel's depth rule: fewer than 25 allocations per second of the period shrinks the list
    /// by 10; a miss ratio under 0.5 % shrinks it by 1; otherwise it grows by
    /// min(30, ratio·(max − depth)/2000 + 5), ratio in thousandths. Never below 4 nor above the maximum.
    /// </summary>
    internal static ushort ComputeDepth(uint allocates, uint misses, double elapsedSeconds, ushort depth, ushort maximumDepth)
    {
        int next;
        if (allocates < 25 * elapsedSeconds)
        {
            next = depth - 10;
        }
        else
        {
            ulong ratio = (ulong)misses * 1000 / allocates;
            if (ratio < 5)
            {
                next = depth - 1;
            }
            else
            {
                ulong change = Math.Min(30UL, (ratio * (ulong)(maximumDepth - depth) / 2000) + 5);
                next = depth + (int)change;
            }
        }

        return (ushort)Math.Clamp(next, MinimumDepth, maximumDepth);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private LookasideMagazine MagazineSlot(KernelThread thread)
        => Unsafe.Add(ref Unsafe.As<KernelThread.MagazineTable, LookasideMagazine>(ref thread.Magazines), _slot);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private nint AllocateSlow(KernelThread thread, string routine) => TakeEntry(MagazineOf(thread, routine));

    /// <summary>One allocation from the thread's front cache: the hot entry, else <see cref="PopFrontCache"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private nint TakeEntry(LookasideMagazine magazine)
    {
        magazine.TotalAllocates++;
        nint hot = magazine.Hot;
        if (hot != 0)
        {
            magazine.Hot = 0;
            return hot;
        }

        return PopFrontCache(magazine);
    }

    /// <summary>The hot slot is empty: the newest entry of the thread's array, else the shared list, else a miss.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private nint PopFrontCache(LookasideMagazine magazine)
    {
        int count = magazine.Count - 1;
        if (count >= 0)
        {
            magazine.Count = count;
            return magazine.Items[count];
        }

        nint entry = _list!.TryPop();
        if (entry == 0 && _caches.AnyExited() && AdoptOrphans())
        {
            // Entries cached by threads that have exited are used before the list calls it a miss.
            entry = _list.TryPop();
        }

        Volatile.Write(ref _sharedCount, _list.Count);
        if (entry == 0)
        {
            magazine.AllocateMisses++;
            entry = _allocate is null ? Owner!.Pool.AllocateFromThisMachine(Type, Size, Tag) : _allocate(Type, Size, Tag);
        }

        return entry;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FreeSlow(KernelThread thread, string routine, nint entry)
    {
        LookasideMagazine magazine = MagazineOf(thread, routine);
        if (entry == 0)
        {
            throw new ArgumentException($"{routine}: Entry is NULL; pass an address the list's allocate routine returned.", "Entry");
        }

        PushFrontCache(magazine, entry);
    }

    /// <summary>
    /// The slow half of a free, deciding on the shared list's live depth: below Depth the new entry becomes the hot one and
    /// the previous hot entry moves into the thread's array (or, when that is full, the shared list);
    /// at Depth it is a free miss.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void PushFrontCache(LookasideMagazine magazine, nint entry)
    {
        nint hot = magazine.Hot;
        int cached = magazine.Count + (hot != 0 ? 1 : 0);
        int shared = _list!.Count;
        Volatile.Write(ref _sharedCount, shared);
        int room = Volatile.Read(ref _depth) - cached - shared;
        if (room <= 0)
        {
            magazine.FreeMisses++;
            CallFree(entry);
            return;
        }

        if (hot != 0)
        {
            if (magazine.Count < LookasideMagazine.Capacity)
            {
                magazine.Items[magazine.Count++] = hot;
            }
            else
            {
                bool pushed = _list.TryPush(hot, Volatile.Read(ref _depth) - cached);
                Volatile.Write(ref _sharedCount, _list.Count);
                if (!pushed)
                {
                    // Another thread filled the shared list meanwhile: the newest entry stays cached, the older one goes.
                    magazine.FreeMisses++;
                    CallFree(hot);
                }
            }
        }

        magazine.Hot = entry;
    }

    /// <summary>
    /// The owning machine crashed or is being disposed: every front cache stops matching (a fresh generation, still odd:
    /// the list stays initialized), so every later allocation and free takes the slow path, where
    /// <see cref="MagazineOf"/> throws the crash or <see cref="ObjectDisposedException"/>. The fast paths pay nothing for it.
    /// </summary>
    internal void Halt()
    {
        lock (_registryLock)
        {
            if (IsInitialized)
            {
                Volatile.Write(ref _generation, Interlocked.Add(ref s_lastGeneration, 2) - 1);
            }
        }
    }

    /// <summary>The calling thread's front cache of the live list, found or created, and put in the thread's table.</summary>
    private LookasideMagazine MagazineOf(KernelThread thread, string routine)
    {
        Owner?.ThrowIfUnusable(routine, MemoryReleased);
        long generation = Volatile.Read(ref _generation);

        // A crash halts the lists before it is published (KernelSystem.CrashFrom): the halted generation
        // read above may come before Crash is set, and the crash must still be thrown, not a cache made.
        Owner?.ThrowCrashIfAny();
        if ((generation & 1) == 0)
        {
            ThrowNotLive(routine, generation);
        }

        LookasideMagazine? found = null;
        foreach (LookasideMagazine magazine in Volatile.Read(ref _caches).Live)
        {
            if (ReferenceEquals(magazine.Thread, thread) && magazine.Generation == generation)
            {
                found = magazine;
                break;
            }
        }

        if (found is null)
        {
            List<nint>? overflow;
            lock (_registryLock)
            {
                ThrowIfNotLive(routine);
                found = new LookasideMagazine(_generation, thread);

                // Registering retires the front caches of exited threads first.
                _caches.Add(found);
                overflow = TakeRetiredOverflow();
            }

            FreeAll(overflow);
        }

        thread.Magazines[_slot] = found;
        return found;
    }

    /// <summary>Retires the front caches of threads that have exited (see <see cref="RetireOrphan"/>); true when there was one.</summary>
    private bool AdoptOrphans()
    {
        bool adopted;
        List<nint>? overflow;
        lock (_registryLock)
        {
            adopted = IsInitialized && _caches.RetireExited();
            overflow = TakeRetiredOverflow();
        }

        FreeAll(overflow);
        return adopted;
    }

    /// <summary>
    /// The retire routine of the list's <see cref="PerThreadCaches{TCache}"/>, for the front cache of a
    /// thread that has exited: its entries move to the shared list while it has room below Depth and
    /// its counts fold into the retired totals. Entries that do not fit are free misses, as they would
    /// have been had the thread freed them into a full list; they wait in <see cref="_retiredOverflow"/>
    /// for the caller to pass them to the Free routine once it has left the locks. Runs under
    /// <see cref="_registryLock"/> (every caller holds it) and the registry's own lock.
    /// </summary>
    private void RetireOrphan(LookasideMagazine magazine)
    {
        // Oldest first, so the exited thread's newest entry ends on top of the shared list.
        int spilled = 0;
        for (int i = 0; i <= magazine.Count; i++)
        {
            nint entry = i < magazine.Count ? magazine.Items[i] : magazine.Hot;
            if (entry != 0 && !_list!.TryPush(entry, Volatile.Read(ref _depth)))
            {
                (_retiredOverflow ??= []).Add(entry);
                spilled++;
            }
        }

        magazine.Count = 0;
        magazine.Hot = 0;
        Retire(magazine);
        Volatile.Write(ref _retiredFreeMisses, _retiredFreeMisses + (uint)spilled);
        Volatile.Write(ref _sharedCount, _list!.Count);
    }

    private List<nint>? TakeRetiredOverflow()
    {
        List<nint>? overflow = _retiredOverflow;
        _retiredOverflow = null;
        return overflow;
    }

    private void FreeAll(List<nint>? entries)
    {
        if (entries is not null)
        {
            foreach (nint entry in entries)
            {
                CallFree(entry);
            }
        }
    }

    /// <summary>Folds a front cache's counts into the retired totals. Caller holds <see cref="_registryLock"/>.</summary>
    private void Retire(LookasideMagazine magazine)
    {
        Volatile.Write(ref _retiredTotalAllocates, _retiredTotalAllocates + magazine.TotalAllocates);
        Volatile.Write(ref _retiredAllocateMisses, _retiredAllocateMisses + magazine.AllocateMisses);
        Volatile.Write(ref _retiredFreeMisses, _retiredFreeMisses + magazine.FreeMisses);
    }

    private uint SumCounters(Func<LookasideMagazine, uint> counter, uint retired)
    {
        uint sum = retired;
        foreach (LookasideMagazine magazine in Volatile.Read(ref _caches).Live)
        {
            sum += counter(magazine);
        }

        return sum;
    }

    /// <summary>Frees an entry that deletion takes out of the cache.</summary>
    private void Drain(nint entry)
    {
        Interlocked.Increment(ref _drained);
        CallFree(entry);
    }

    private void CallFree(nint entry)
    {
        if (_free is null)
        {
            Owner!.Pool.FreeToThisMachine(entry);
        }
        else
        {
            _free(entry);
        }
    }

    private void ThrowIfNotLive(string routine)
    {
        if (!IsInitialized)
        {
            ThrowNotLive(routine, _generation);
        }
    }

    [DoesNotReturn]
    private void ThrowNotLive(string routine, long generation)
    {
        throw new InvalidOperationException(generation != 0
            ? $"{routine}: this {KindName} was deleted; initialize it again with {InitializeRoutine} before use."
            : $"{routine}: this {KindName} was never initialized; call {InitializeRoutine} first.");
    }
}
