using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace PoolAnalyzers.Runtime;

// The per-thread caches of the interlocked routines. A call that finds the zone's spin lock free
// and its own cache ready works on the cache alone, as if it had taken and released the lock in
// that instant; everything else (a held lock, an empty cache, a block the thread does not own) goes
// through the lock to the shared free list. Whoever needs the whole zone (exhaustion, ExIsFullZone,
// ExFreeToZone of a cached block) reclaims every cache first: see ReclaimCaches.
public sealed partial class ZONE_HEADER
{
    private static long s_lastGeneration;
    private static int s_nextSlot;

    // Where this zone's cache sits in each thread's table; zones are spread round-robin.
    private readonly int _slot = Interlocked.Increment(ref s_nextSlot) & (KernelThread.ZoneMagazineSlots - 1);

    // The generation every live cache is stamped with. A reclaim or re-initialization takes a new one
    // (unique across zones), which turns every cache of the old one away from the cached paths.
    private long _generation = NewGeneration();

    private PerThreadCaches<ZoneMagazine> _caches;

    // The lock of the interlocked calls that cache: the first one passed. Calls with another lock
    // (a driver bug the kernel would not notice) never cache.
    private KSPIN_LOCK? _cacheLock;

    // Interlocked calls through the lock before a thread may start a cache again. Each reclaim of
    // live caches doubles it (16 … 4096), so a driver that keeps mixing non-interlocked calls,
    // cross-thread frees or exhaustion with the interlocked ones settles on the lock path.
    private int _uncachedCallsLeft;
    private int _backoff;

    /// <summary>The cached half of <c>ExInterlockedAllocateFromZone</c>: true with the thread's newest cached block when the lock is free and the thread has one.</summary>
    /// <exception cref="InvalidOperationException">The cached block's link was written after it was freed; nothing is allocated.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe bool TryAllocateCached(KernelThread thread, KSPIN_LOCK spinLock, string routine, out nint block)
    {
        ZoneMagazine magazine = MagazineSlot(thread);
        if (!Enter(magazine, spinLock))
        {
            block = 0;
            return false;
        }

        block = magazine.HotBlock;
        if (block != 0)
        {
            if (*(nint*)block != magazine.HotLink)
            {
                Volatile.Write(ref magazine.Busy, 0);
                throw CachedBlockOverwritten(routine, block, magazine.HotLink);
            }

            magazine.HotBlock = 0;
            magazine.OutBlock = block;
            magazine.OutSlot = magazine.HotSlot;
            Volatile.Write(ref magazine.Busy, 0);
            return true;
        }

        bool taken = magazine.CachedCount > 0;
        if (taken)
        {
            block = TakeFromStack(magazine, routine);
        }

        Volatile.Write(ref magazine.Busy, 0);
        return taken;
    }

    /// <summary>The cached half of <c>ExInterlockedFreeToZone</c>: true, with the previous first free block, when the lock is free and the thread owns the block.</summary>
    /// <exception cref="ArgumentException">The block is cached already (double free); nothing changes.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe bool TryFreeCached(KernelThread thread, KSPIN_LOCK spinLock, nint block, string routine, out nint previous)
    {
        ZoneMagazine magazine = MagazineSlot(thread);
        previous = 0;
        if (!Enter(magazine, spinLock))
        {
            return false;
        }

        bool cached;
        if (block == magazine.OutBlock && block != 0 && magazine.HotBlock == 0)
        {
            // The block handed out last comes back: it is handed out (OutBlock says so), so it becomes the hot block.
            int count = magazine.CachedCount;
            previous = count > 0 ? magazine.Owned[magazine.Stack[count - 1]] : FreeList;
            cached = previous != 0;
            if (cached)
            {
                *(nint*)block = previous;
                magazine.HotLink = previous;
                magazine.HotSlot = magazine.OutSlot;
                magazine.HotBlock = block;
                magazine.OutBlock = 0;
            }
        }
        else
        {
            int slot = magazine.SlotOf(block);
            cached = slot >= 0 && CacheFreed(magazine, slot, block, routine, out previous);
        }

        Volatile.Write(ref magazine.Busy, 0);
        return cached;
    }

    /// <summary><c>ExInterlockedAllocateFromZone</c> with the lock held: the thread's cache, the shared list, then every other cache.</summary>
    internal nint AllocateUnderLock(KernelThread thread, KSPIN_LOCK spinLock, string routine)
    {
        ZoneMagazine? magazine = CacheUnderLock(thread, spinLock);
        if (magazine is not null && (magazine.HotBlock != 0 || magazine.CachedCount > 0))
        {
            return TakeCached(magazine, routine);
        }

        nint block = AllocateShared(routine);
        if (block != 0 && magazine is not null && magazine.Generation == _generation && magazine.OwnedCount < ZoneMagazine.Capacity)
        {
            Lend(magazine, block);
        }

        return block;
    }

    /// <summary><c>ExInterlockedFreeToZone</c> with the lock held: into the thread's cache when it owns the block, else onto the shared list.</summary>
    internal nint FreeUnderLock(KernelThread thread, KSPIN_LOCK spinLock, nint block, string routine)
    {
        ZoneMagazine? magazine = CacheUnderLock(thread, spinLock);
        if (magazine is not null)
        {
            int slot = magazine.SlotOf(block);
            if (slot >= 0 && CacheFreed(magazine, slot, block, routine, out nint previous))
            {
                return previous;
            }
        }

        return FreeShared(block, routine);
    }

    /// <summary><c>ExAllocateFromZone</c>: the shared list, and when it is empty the blocks every thread's cache holds.</summary>
    internal nint AllocateShared(string routine)
    {
        nint block = Pop(routine);
        if (block == 0 && ReclaimCaches())
        {
            block = Pop(routine);
        }

        return block;
    }

    /// <summary><c>ExFreeToZone</c>: a block some thread's cache owns is reclaimed first, so the free-bit check sees where it really is.</summary>
    internal nint FreeShared(nint block, string routine)
    {
        if (_cacheLock is not null && IsLent(block))
        {
            ReclaimCaches(includeLive: true);
        }

        return Push(block, routine);
    }

    /// <summary><c>ExIsFullZone</c>: no free block on the shared list or in any thread's cache.</summary>
    internal bool IsFull() => FreeList == 0 && !(ReclaimCaches() && FreeList != 0);

    /// <summary>Drops every cache without returning its blocks: the zone is being initialized again.</summary>
    private void ResetCaches()
    {
        Volatile.Write(ref _generation, NewGeneration());
        _caches?.RemoveAll();
        _caches = new PerThreadCaches<ZoneMagazine>(Drain);
        _cacheLock = null;
        _uncachedCallsLeft = 0;
        _backoff = 0;
    }

    /// <summary>
    /// Starts a cached call: the magazine belongs to the zone's current generation and the lock is
    /// free. The owner publishes <see cref="ZoneMagazine.Busy"/> before it reads the generation; a
    /// reclaim changes the generation, makes a process-wide barrier and then reads Busy, so one of
    /// the two always sees the other (an asymmetric Dekker handshake: the cached path pays no fence).
    /// The store and the load are both volatile, which the JIT keeps in program order; the processor
    /// may still let the load pass the store (x64), and the reclaim's process-wide barrier covers that.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Enter(ZoneMagazine magazine, KSPIN_LOCK spinLock)
    {
        if (magazine.Generation != _generation)
        {
            return false;
        }

        Volatile.Write(ref magazine.Busy, 1);
        if (magazine.Generation != Volatile.Read(ref _generation) || spinLock.IsHeld || !ReferenceEquals(spinLock, _cacheLock))
        {
            Volatile.Write(ref magazine.Busy, 0);
            return false;
        }

        return true;
    }

    /// <summary>Hands out the newest cached block (the hot one, else the top of the stack), after checking its link still reads what the free wrote. Caller holds the lock.</summary>
    private unsafe nint TakeCached(ZoneMagazine magazine, string routine)
    {
        nint block = magazine.HotBlock;
        if (block == 0)
        {
            return TakeFromStack(magazine, routine);
        }

        if (*(nint*)block != magazine.HotLink)
        {
            throw CachedBlockOverwritten(routine, block, magazine.HotLink);
        }

        magazine.HotBlock = 0;
        magazine.OutBlock = block;
        magazine.OutSlot = magazine.HotSlot;
        return block;
    }

    /// <summary>Hands out the block on top of the stack (the hot slot is empty), after checking its link.</summary>
    private unsafe nint TakeFromStack(ZoneMagazine magazine, string routine)
    {
        int top = magazine.CachedCount - 1;
        int slot = magazine.Stack[top];
        nint block = magazine.Owned[slot];
        if (*(nint*)block != magazine.Links[slot])
        {
            Volatile.Write(ref magazine.Busy, 0);
            throw CachedBlockOverwritten(routine, block, magazine.Links[slot]);
        }

        magazine.CachedCount = top;
        magazine.CachedMask &= ~(1 << slot);
        magazine.OutBlock = block;
        magazine.OutSlot = slot;
        return block;
    }

    /// <summary>
    /// Caches an owned block that is not the hot path's case, writing the link the kernel would (the
    /// previous first free block as this thread sees it); false when there is none, so the caller
    /// takes the exact path that tells whether the zone was full.
    /// </summary>
    /// <exception cref="ArgumentException">The block is cached already (double free).</exception>
    private unsafe bool CacheFreed(ZoneMagazine magazine, int slot, nint block, string routine, out nint previous)
    {
        if (magazine.IsCached(slot))
        {
            Volatile.Write(ref magazine.Busy, 0);
            throw BadPush(routine, block, slot);
        }

        int count = magazine.CachedCount;
        previous = magazine.HotBlock != 0 ? magazine.HotBlock : count > 0 ? magazine.Owned[magazine.Stack[count - 1]] : FreeList;
        if (previous == 0)
        {
            return false;
        }

        DemoteHot(magazine);
        *(nint*)block = previous;
        PushOnStack(magazine, slot, previous);
        if (magazine.OutBlock == block)
        {
            magazine.OutBlock = 0;
        }

        return true;
    }

    /// <summary>Moves the hot block, if any, to the top of the stack.</summary>
    private static void DemoteHot(ZoneMagazine magazine)
    {
        if (magazine.HotBlock != 0)
        {
            PushOnStack(magazine, magazine.HotSlot, magazine.HotLink);
            magazine.HotBlock = 0;
        }
    }

    private static void PushOnStack(ZoneMagazine magazine, int slot, nint link)
    {
        magazine.Links[slot] = link;
        magazine.Stack[magazine.CachedCount++] = slot;
        magazine.CachedMask |= 1 << slot;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ZoneMagazine MagazineSlot(KernelThread thread)
        => Unsafe.Add(ref Unsafe.As<KernelThread.ZoneMagazineTable, ZoneMagazine>(ref thread.ZoneMagazines), _slot);

    /// <summary>The calling thread's cache of the current generation, found or started; null when this call does not cache. Caller holds the lock.</summary>
    private ZoneMagazine? CacheUnderLock(KernelThread thread, KSPIN_LOCK spinLock)
    {
        KSPIN_LOCK cacheLock = _cacheLock ?? Interlocked.CompareExchange(ref _cacheLock, spinLock, null) ?? spinLock;
        if (!ReferenceEquals(cacheLock, spinLock))
        {
            return null;
        }

        ZoneMagazine magazine = MagazineSlot(thread);
        if (magazine.Generation == _generation)
        {
            return magazine;
        }

        foreach (ZoneMagazine live in _caches.Live)
        {
            if (ReferenceEquals(live.Thread, thread))
            {
                thread.ZoneMagazines[_slot] = live;
                return live;
            }
        }

        if (_uncachedCallsLeft > 0)
        {
            _uncachedCallsLeft--;
            return null;
        }

        magazine = new ZoneMagazine(_generation, thread);

        // Registering retires (drains) the caches of threads that have exited first.
        _caches.Add(magazine);
        thread.ZoneMagazines[_slot] = magazine;
        return magazine;
    }

    /// <summary>Gives <paramref name="block"/>, just taken from the shared list, to the thread's cache as handed out.</summary>
    private void Lend(ZoneMagazine magazine, nint block)
    {
        int index = Locate(block, out ZoneSegment? segment);
        segment!.SetLent(index, true);
        int slot = magazine.OwnedCount++;
        magazine.Owned[slot] = block;
        magazine.OutBlock = block;
        magazine.OutSlot = slot;
    }

    private bool IsLent(nint block)
    {
        int index = Locate(block, out ZoneSegment? segment);
        return index >= 0 && segment!.IsLent(index);
    }

    /// <summary>
    /// Moves the blocks cached by threads back to the shared list: first those of exited threads,
    /// then, when that is not enough (or <paramref name="includeLive"/>), every live cache. True when
    /// a cache was reclaimed. Runs under the zone's cache lock: taken here unless the calling thread
    /// holds it (the interlocked routines do; a driver calling ExAllocateFromZone for an
    /// interlocked zone does too, and one that does not is kept from racing the interlocked calls).
    /// </summary>
    private bool ReclaimCaches(bool includeLive = false)
    {
        KSPIN_LOCK? cacheLock = Volatile.Read(ref _cacheLock);
        if (cacheLock is null || _caches.Live.Length == 0)
        {
            return false;
        }

        if (cacheLock.IsOwnedByCurrentThread)
        {
            return ReclaimLocked(includeLive);
        }

        KernelThread thread = KernelThread.Current;
        KIRQL oldIrql = cacheLock.AcquireRaising(thread);
        try
        {
            return ReclaimLocked(includeLive);
        }
        finally
        {
            cacheLock.ReleaseLowering(thread, oldIrql);
        }
    }

    private bool ReclaimLocked(bool includeLive)
    {
        bool reclaimed = _caches.RetireExited();
        if (!includeLive && FreeList != 0)
        {
            return reclaimed;
        }

        if (_caches.Live.Length == 0)
        {
            return reclaimed;
        }

        // Retire the generation first: an owner that starts a cached call after the barrier sees it
        // and takes the lock (held here); one that started before has published Busy, seen below.
        Volatile.Write(ref _generation, NewGeneration());
        Interlocked.MemoryBarrierProcessWide();
        foreach (ZoneMagazine magazine in _caches.RemoveAll())
        {
            var wait = default(SpinWait);
            while (Volatile.Read(ref magazine.Busy) != 0)
            {
                wait.SpinOnce();
            }

            Drain(magazine);
        }

        _backoff = Math.Clamp(_backoff * 2, 16, 4096);
        _uncachedCallsLeft = _backoff;
        return true;
    }

    /// <summary>
    /// Empties a quiescent cache: handed-out blocks become ordinary allocated blocks, cached ones go
    /// back on the shared list with their free bit. A cached block whose link was written after it
    /// was freed goes on last with the driver's value left in place, so the allocation after it
    /// reports the write, as on the shared list.
    /// </summary>
    private unsafe void Drain(ZoneMagazine magazine)
    {
        DemoteHot(magazine);
        for (int slot = 0; slot < magazine.OwnedCount; slot++)
        {
            int index = Locate(magazine.Owned[slot], out ZoneSegment? segment);
            segment!.SetLent(index, false);
        }

        // Decide which links are intact before pushing anything: a push rewrites the link.
        int overwritten = 0;
        for (int i = 0; i < magazine.CachedCount; i++)
        {
            int slot = magazine.Stack[i];
            if (*(nint*)magazine.Owned[slot] != magazine.Links[slot])
            {
                overwritten |= 1 << slot;
            }
        }

        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < magazine.CachedCount; i++)
            {
                int slot = magazine.Stack[i];
                bool intact = (overwritten & (1 << slot)) == 0;
                if (intact == (pass == 0))
                {
                    nint block = magazine.Owned[slot];
                    int index = Locate(block, out ZoneSegment? segment);
                    segment!.TryMarkFree(index);
                    if (intact)
                    {
                        *(nint*)block = FreeList;
                    }

                    FreeList = block;
                }
            }
        }

        magazine.CachedCount = 0;
        magazine.CachedMask = 0;
        magazine.OwnedCount = 0;
        magazine.OutSlot = 0;
        magazine.OutBlock = 0;
        ((Span<nint>)magazine.Owned).Clear();
    }

    private static long NewGeneration() => Interlocked.Increment(ref s_lastGeneration);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static InvalidOperationException CachedBlockOverwritten(string routine, nint block, nint link)
        => new($"{routine}: free block 0x{block:X} of this zone was written after it was freed: its link to the next free block, 0x{link:X}, was overwritten. Nothing is allocated.");
}
