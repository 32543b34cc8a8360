using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.KIRQL;
using static PoolAnalyzers.Runtime.NTSTATUS;

namespace PoolAnalyzers.Runtime.Test.Zone;

// The interlocked routines keep blocks in per-thread caches. Every test here first shows a block
// really is cached (the shared free list did not get it back), then checks that the zone still keeps
// each promise it made without caches: exact exhaustion, one owner per block, double frees refused,
// and a consistent zone for the non-interlocked routines under the lock.
public sealed unsafe class ZoneThreadCacheTests : IDisposable
{
    private const uint Block = 32;
    private const int Blocks = 4;
    private const uint FourBlocks = 16 + (Blocks * Block);

    private readonly nint _memory = (nint)NativeMemory.AlignedAlloc(4096, 16);
    private readonly ZONE_HEADER _zone = new();
    private readonly KSPIN_LOCK _lock = new();

    public ZoneThreadCacheTests()
    {
        Assert.Equal(STATUS_SUCCESS, ExInitializeZone(_zone, Block, _memory, FourBlocks));
    }

    public void Dispose() => NativeMemory.AlignedFree((void*)_memory);

    [Fact]
    public void AFreedBlock_StaysInTheThreadsCache_AndComesBackToThatThreadFirst()
    {
        nint headBefore = _zone.FreeList;
        nint block = ExInterlockedAllocateFromZone(_zone, _lock);
        nint shared = _zone.FreeList;

        Assert.Equal(headBefore, block);
        Assert.Equal(shared, ExInterlockedFreeToZone(_zone, block, _lock));
        Assert.Equal(shared, _zone.FreeList);
        Assert.Equal(shared, *(nint*)block);
        Assert.Equal(block, ExInterlockedAllocateFromZone(_zone, _lock));
    }

    [Fact]
    public void SeveralCachedBlocks_ComeBackNewestFirst_AndAWriteIntoAnOlderOneIsCaught()
    {
        nint a = ExInterlockedAllocateFromZone(_zone, _lock);
        nint b = ExInterlockedAllocateFromZone(_zone, _lock);
        nint c = ExInterlockedAllocateFromZone(_zone, _lock);
        nint shared = _zone.FreeList;

        Assert.Equal(shared, ExInterlockedFreeToZone(_zone, a, _lock));
        Assert.Equal(a, ExInterlockedFreeToZone(_zone, b, _lock));
        Assert.Equal(b, ExInterlockedFreeToZone(_zone, c, _lock));
        Assert.Equal(shared, _zone.FreeList);

        Assert.Equal(c, ExInterlockedAllocateFromZone(_zone, _lock));
        Assert.Equal(b, ExInterlockedAllocateFromZone(_zone, _lock));
        Assert.Equal(a, ExInterlockedFreeToZone(_zone, c, _lock));
        *(nint*)a = 0;
        Assert.Equal(c, ExInterlockedAllocateFromZone(_zone, _lock));
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => ExInterlockedAllocateFromZone(_zone, _lock));
        Assert.Contains($"0x{a:X}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AfterACacheIsTakenBack_SixteenCallsGoThroughTheLock_BeforeTheThreadCachesAgain()
    {
        nint block = ExInterlockedAllocateFromZone(_zone, _lock);
        ExInterlockedFreeToZone(_zone, block, _lock);
        AssertDrainsDistinct(Blocks);
        for (nint next = _memory + 16; next < _memory + FourBlocks; next += (nint)Block)
        {
            ExFreeToZone(_zone, next);
        }

        for (int pair = 0; pair < 8; pair++)
        {
            nint taken = ExInterlockedAllocateFromZone(_zone, _lock);
            ExInterlockedFreeToZone(_zone, taken, _lock);
            Assert.Equal(taken, _zone.FreeList);
        }

        nint cached = ExInterlockedAllocateFromZone(_zone, _lock);
        ExInterlockedFreeToZone(_zone, cached, _lock);
        Assert.NotEqual(cached, _zone.FreeList);
        Assert.Equal(cached, ExInterlockedAllocateFromZone(_zone, _lock));
    }

    [Fact]
    public void Exhaustion_TakesBackTheBlocksCachedByALiveThread()
    {
        using var other = new CachingThread(_zone, _lock, 2);
        Assert.Equal(Blocks - 2, CountShared());

        var seen = new HashSet<nint>();
        for (nint block = ExInterlockedAllocateFromZone(_zone, _lock); block != 0; block = ExInterlockedAllocateFromZone(_zone, _lock))
        {
            Assert.True(seen.Add(block), $"block 0x{block:X} handed out twice");
        }

        Assert.Equal(Blocks, seen.Count);
        Assert.Superset(new HashSet<nint>(other.Cached), seen);
        Assert.True(ExIsFullZone(_zone));

        // The other thread's cache was taken back: it finds the zone full too.
        Assert.Equal(0, other.Run(() => ExInterlockedAllocateFromZone(_zone, _lock)));
    }

    [Fact]
    public void Exhaustion_TakesBackTheBlocksCachedByAnExitedThread()
    {
        var other = new CachingThread(_zone, _lock, 3);
        other.Dispose();
        Assert.Equal(Blocks - 3, CountShared());

        var seen = new HashSet<nint>();
        for (nint block = ExInterlockedAllocateFromZone(_zone, _lock); block != 0; block = ExInterlockedAllocateFromZone(_zone, _lock))
        {
            Assert.True(seen.Add(block), $"block 0x{block:X} handed out twice");
        }

        Assert.Equal(Blocks, seen.Count);
    }

    [Fact]
    public void NonInterlockedRoutinesUnderTheLock_SeeTheBlocksOtherThreadsCache_AndAStableZone()
    {
        using var other = new CachingThread(_zone, _lock, 2);
        nint[] cached = other.Cached;
        var seen = new HashSet<nint>();

        Ke.KeAcquireSpinLock(_lock, out KIRQL old);
        try
        {
            Assert.False(ExIsFullZone(_zone));
            for (nint block = ExAllocateFromZone(_zone); block != 0; block = ExAllocateFromZone(_zone))
            {
                Assert.True(seen.Add(block), $"block 0x{block:X} handed out twice");
            }

            Assert.True(ExIsFullZone(_zone));

            // While the lock is held, the other thread cannot reach the zone: its call waits.
            Pending pending = other.Start(() => ExInterlockedAllocateFromZone(_zone, _lock));
            Assert.False(pending.Wait(TimeSpan.FromMilliseconds(200)), "an interlocked allocation finished while the caller held the lock");
            Assert.True(ExIsFullZone(_zone));
            Assert.Equal(0, ExAllocateFromZone(_zone));
            Assert.Equal(0, ExFreeToZone(_zone, cached[0]));
            Assert.False(ExIsFullZone(_zone));
            Ke.KeReleaseSpinLock(_lock, old);
            Assert.True(pending.Wait(Patience.Limit));
            Assert.Equal(cached[0], pending.Result);
        }
        finally
        {
            if (_lock.IsOwnedByCurrentThread)
            {
                Ke.KeReleaseSpinLock(_lock, old);
            }
        }

        Assert.Equal(Blocks, seen.Count);
        Assert.Superset(new HashSet<nint>(cached), seen);
    }

    [Fact]
    public void InterlockedDoubleFree_OfABlockCachedByAnotherThread_IsRefused_AndTheBlockHasOneOwner()
    {
        using var other = new CachingThread(_zone, _lock, 1);
        nint block = other.Cached[0];

        ArgumentException error = Assert.Throws<ArgumentException>(() => ExInterlockedFreeToZone(_zone, block, _lock));

        Assert.Contains("double free", error.Message, StringComparison.Ordinal);
        Assert.Contains("ExInterlockedFreeToZone", error.Message, StringComparison.Ordinal);
        Assert.False(_lock.IsHeld);
        Assert.Equal(PASSIVE_LEVEL, Ke.KeGetCurrentIrql());
        AssertDrainsDistinct(Blocks);
    }

    [Fact]
    public void NonInterlockedDoubleFree_OfABlockCachedByAnotherThread_IsRefused()
    {
        using var other = new CachingThread(_zone, _lock, 1);

        ArgumentException error = Assert.Throws<ArgumentException>(() => ExFreeToZone(_zone, other.Cached[0]));

        Assert.Contains("double free", error.Message, StringComparison.Ordinal);
        AssertDrainsDistinct(Blocks);
    }

    [Fact]
    public void DoubleFreeThroughTheOwnCache_IsRefused_WithoutTakingTheLock()
    {
        nint block = ExInterlockedAllocateFromZone(_zone, _lock);
        ExInterlockedFreeToZone(_zone, block, _lock);

        ArgumentException error = Assert.Throws<ArgumentException>(() => ExInterlockedFreeToZone(_zone, block, _lock));

        Assert.Contains($"0x{block:X} is already free (double free)", error.Message, StringComparison.Ordinal);
        Assert.False(_lock.IsHeld);
        AssertDrainsDistinct(Blocks);
    }

    [Fact]
    public void ABlockHandedOutByOneThreadsCache_CanBeFreedByAnother_AndIsNotLost()
    {
        nint block = ExInterlockedAllocateFromZone(_zone, _lock);
        ExInterlockedFreeToZone(_zone, block, _lock);
        Assert.Equal(block, ExInterlockedAllocateFromZone(_zone, _lock));

        var freer = new Thread(() => ExInterlockedFreeToZone(_zone, block, _lock));
        freer.Start();
        Assert.True(freer.Join(Patience.Limit));

        Assert.Throws<ArgumentException>(() => ExInterlockedFreeToZone(_zone, block, _lock));
        AssertDrainsDistinct(Blocks);
    }

    [Fact]
    public void RacingFrees_OfOneCachedBlock_ExactlyOneWins()
    {
        using var other = new CachingThread(_zone, _lock, 0);
        for (int round = 0; round < 300; round++)
        {
            nint block = other.Run(() => ExInterlockedAllocateFromZone(_zone, _lock));
            Assert.NotEqual(0, block);
            using var start = new Barrier(2);
            Pending theirs = other.Start(() =>
            {
                start.SignalAndWait();
                return TryFree(block);
            });
            start.SignalAndWait();
            nint mine = TryFree(block);
            Assert.True(theirs.Wait(Patience.Limit));
            Assert.True(mine + theirs.Result == 1, $"round {round}: both frees or neither succeeded");
        }

        AssertDrainsDistinct(Blocks);

        nint TryFree(nint block)
        {
            try
            {
                ExInterlockedFreeToZone(_zone, block, _lock);
                return 1;
            }
            catch (ArgumentException)
            {
                return 0;
            }
        }
    }

    [Fact]
    public void AWriteIntoACachedBlock_IsReportedWhenTheCacheWouldHandItOut()
    {
        nint block = ExInterlockedAllocateFromZone(_zone, _lock);
        ExInterlockedFreeToZone(_zone, block, _lock);
        *(nint*)block = _memory + 3000;

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => ExInterlockedAllocateFromZone(_zone, _lock));

        Assert.Contains($"0x{block:X}", error.Message, StringComparison.Ordinal);
        Assert.Contains("written after it was freed", error.Message, StringComparison.Ordinal);
        Assert.False(_lock.IsHeld);
        Assert.Equal(PASSIVE_LEVEL, Ke.KeGetCurrentIrql());
    }

    [Fact]
    public void AWriteIntoACachedBlock_StillReportedAfterTheCacheIsTakenBack()
    {
        using var other = new CachingThread(_zone, _lock, 1);
        nint block = other.Cached[0];
        *(nint*)block = _memory + 3000;

        // The shared blocks come out first, then the reclaimed one, whose overwritten link is followed next.
        var seen = new HashSet<nint>();
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() =>
        {
            for (nint next = ExAllocateFromZone(_zone); next != 0; next = ExAllocateFromZone(_zone))
            {
                seen.Add(next);
            }
        });

        Assert.Contains(block, seen);
        Assert.Contains("written after it was freed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InterlockedCall_WhileTheCallerHoldsTheLock_BugChecksEvenWithACachedBlock()
    {
        nint block = ExInterlockedAllocateFromZone(_zone, _lock);
        ExInterlockedFreeToZone(_zone, block, _lock);
        Ke.KeAcquireSpinLock(_lock, out KIRQL old);
        try
        {
            BugCheckException allocate = Assert.Throws<BugCheckException>(() => ExInterlockedAllocateFromZone(_zone, _lock));
            BugCheckException free = Assert.Throws<BugCheckException>(() => ExInterlockedFreeToZone(_zone, block, _lock));

            Assert.Equal(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, allocate.BugCheckCode);
            Assert.Equal(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, free.BugCheckCode);
        }
        finally
        {
            Ke.KeReleaseSpinLock(_lock, old);
        }
    }

    [Fact]
    public void InterlockedCall_AboveDispatchLevel_BugChecksEvenWithACachedBlock()
    {
        nint block = ExInterlockedAllocateFromZone(_zone, _lock);
        ExInterlockedFreeToZone(_zone, block, _lock);
        using (IrqlScope.Raise(HIGH_LEVEL))
        {
            BugCheckException error = Assert.Throws<BugCheckException>(() => ExInterlockedAllocateFromZone(_zone, _lock));
            Assert.Equal(BugCheckNames.IRQL_NOT_LESS_OR_EQUAL, error.BugCheckCode);
        }

        Assert.Equal(block, ExInterlockedAllocateFromZone(_zone, _lock));
    }

    [Fact]
    public void Reinitialization_ForgetsTheCachedBlocks()
    {
        nint block = ExInterlockedAllocateFromZone(_zone, _lock);
        ExInterlockedFreeToZone(_zone, block, _lock);

        Assert.Equal(STATUS_SUCCESS, ExInitializeZone(_zone, Block, _memory + 1024, FourBlocks));

        nint fresh = ExInterlockedAllocateFromZone(_zone, _lock);
        Assert.InRange(fresh, _memory + 1024, _memory + 1024 + FourBlocks);
        Assert.Throws<ArgumentException>(() => ExInterlockedFreeToZone(_zone, block, _lock));
    }

    [Fact]
    public void Dispose_MakesAZoneWithCachedBlocksUnusable()
    {
        var machine = new TestMachine();
        var zone = new ZONE_HEADER();
        Assert.Equal(STATUS_SUCCESS, ExInitializeZone(zone, Block, _memory + 2048, FourBlocks));
        nint block = ExInterlockedAllocateFromZone(zone, _lock);
        ExInterlockedFreeToZone(zone, block, _lock);
        nint held = ExInterlockedAllocateFromZone(zone, _lock);

        machine.Dispose();

        Assert.Throws<ObjectDisposedException>(() => ExInterlockedAllocateFromZone(zone, _lock));
        Assert.Throws<ObjectDisposedException>(() => ExInterlockedFreeToZone(zone, held, _lock));
        Assert.False(_lock.IsHeld);
    }

    [Fact]
    public void FourThreads_MixingEveryRoutine_NeverHandOutABlockTwice_AndLoseNone()
    {
        const int Workers = 4;
        const int OperationsPerThread = 40_000;
        const int SegmentBlocks = 48;
        uint segmentSize = 16 + (SegmentBlocks * Block);
        nint segment = (nint)NativeMemory.AlignedAlloc(segmentSize, 16);
        try
        {
            var zone = new ZONE_HEADER();
            Assert.Equal(STATUS_SUCCESS, ExInitializeZone(zone, Block, segment, segmentSize));
            var live = new ConcurrentDictionary<nint, int>();
            var handOff = new ConcurrentQueue<nint>();
            var errors = new ConcurrentQueue<Exception>();

            void Work(int worker)
            {
                try
                {
                    var held = new Stack<nint>();
                    var random = new Random(worker);
                    for (int op = 0; op < OperationsPerThread; op++)
                    {
                        int choice = random.Next(100);
                        if (choice < 2)
                        {
                            // A non-interlocked caller doing it right: under the zone's lock.
                            Ke.KeAcquireSpinLock(_lock, out KIRQL old);
                            bool full = ExIsFullZone(zone);
                            nint taken = full ? 0 : ExAllocateFromZone(zone);
                            Ke.KeReleaseSpinLock(_lock, old);
                            Assert.True(full || taken != 0, "ExIsFullZone said a block was free, but ExAllocateFromZone under the same lock found none");
                            if (taken != 0)
                            {
                                Claim(taken, worker);
                                held.Push(taken);
                            }
                        }
                        else if (choice < 8 && handOff.TryDequeue(out nint foreign))
                        {
                            // A block another thread allocated (maybe through its cache).
                            Release(foreign);
                            ExInterlockedFreeToZone(zone, foreign, _lock);
                        }
                        else if (held.Count == 0 || (held.Count < 12 && choice < 55))
                        {
                            nint block = ExInterlockedAllocateFromZone(zone, _lock);
                            if (block != 0)
                            {
                                Claim(block, worker);
                                held.Push(block);
                            }
                        }
                        else if (choice < 60)
                        {
                            handOff.Enqueue(held.Pop());
                        }
                        else
                        {
                            nint block = held.Pop();
                            Release(block);
                            ExInterlockedFreeToZone(zone, block, _lock);
                        }
                    }

                    while (held.Count > 0)
                    {
                        nint block = held.Pop();
                        Release(block);
                        ExInterlockedFreeToZone(zone, block, _lock);
                    }
                }
                catch (Exception error)
                {
                    errors.Enqueue(error);
                }
            }

            void Claim(nint block, int worker)
            {
                Assert.True(live.TryAdd(block, worker), $"block 0x{block:X} handed out twice");
                *(int*)(block + 8) = worker;
            }

            void Release(nint block)
            {
                Assert.True(live.TryRemove(block, out int owner), $"block 0x{block:X} freed but not live");
                Assert.Equal(owner, *(int*)(block + 8));
            }

            var threads = new Thread[Workers];
            for (int i = 0; i < Workers; i++)
            {
                int worker = i;
                threads[i] = new Thread(() => Work(worker));
                threads[i].Start();
            }

            foreach (Thread thread in threads)
            {
                Assert.True(thread.Join(Patience.Limit));
            }

            Assert.Empty(errors);
            while (handOff.TryDequeue(out nint block))
            {
                Release(block);
                ExInterlockedFreeToZone(zone, block, _lock);
            }

            Assert.Empty(live);
            var seen = new HashSet<nint>();
            for (nint block = ExAllocateFromZone(zone); block != 0; block = ExAllocateFromZone(zone))
            {
                Assert.True(seen.Add(block), $"block 0x{block:X} is free twice");
            }

            Assert.Equal(SegmentBlocks, seen.Count);
            Assert.False(_lock.IsHeld);
        }
        finally
        {
            NativeMemory.AlignedFree((void*)segment);
        }
    }

    [Fact]
    public void CachedPairsOnThreeThreads_AgainstADrainUnderTheLock_NeverShareABlock()
    {
        const int Workers = 3;
        const int PairsPerWorker = 30_000;
        const int SegmentBlocks = 6;
        uint segmentSize = 16 + (SegmentBlocks * Block);
        nint segment = (nint)NativeMemory.AlignedAlloc(segmentSize, 16);
        try
        {
            var zone = new ZONE_HEADER();
            Assert.Equal(STATUS_SUCCESS, ExInitializeZone(zone, Block, segment, segmentSize));
            var live = new ConcurrentDictionary<nint, int>();
            var errors = new ConcurrentQueue<Exception>();
            int running = Workers;

            void Pairs(int worker)
            {
                try
                {
                    for (int i = 0; i < PairsPerWorker; i++)
                    {
                        nint block = ExInterlockedAllocateFromZone(zone, _lock);
                        if (block == 0)
                        {
                            continue;
                        }

                        Assert.True(live.TryAdd(block, worker), $"block 0x{block:X} handed out twice");
                        Assert.True(live.TryRemove(block, out _));
                        ExInterlockedFreeToZone(zone, block, _lock);
                    }
                }
                catch (Exception error)
                {
                    errors.Enqueue(error);
                }
                finally
                {
                    Interlocked.Decrement(ref running);
                }
            }

            var threads = new Thread[Workers];
            for (int i = 0; i < Workers; i++)
            {
                int worker = i;
                threads[i] = new Thread(() => Pairs(worker));
                threads[i].Start();
            }

            // Take every block under the lock, caches included, and check the zone stays full until the lock is released.
            var taken = new List<nint>();
            while (Volatile.Read(ref running) > 0)
            {
                Ke.KeAcquireSpinLock(_lock, out KIRQL old);
                try
                {
                    for (nint block = ExAllocateFromZone(zone); block != 0; block = ExAllocateFromZone(zone))
                    {
                        Assert.True(live.TryAdd(block, -1), $"block 0x{block:X} handed out twice");
                        taken.Add(block);
                    }

                    Assert.True(ExIsFullZone(zone));
                    Thread.Yield();
                    Assert.True(ExIsFullZone(zone));
                    foreach (nint block in taken)
                    {
                        Assert.True(live.TryRemove(block, out _));
                        ExFreeToZone(zone, block);
                    }

                    taken.Clear();
                }
                finally
                {
                    Ke.KeReleaseSpinLock(_lock, old);
                }

                Thread.Yield();
            }

            foreach (Thread thread in threads)
            {
                Assert.True(thread.Join(Patience.Limit));
            }

            Assert.Empty(errors);
            var seen = new HashSet<nint>();
            for (nint block = ExAllocateFromZone(zone); block != 0; block = ExAllocateFromZone(zone))
            {
                Assert.True(seen.Add(block), $"block 0x{block:X} is free twice");
            }

            Assert.Equal(SegmentBlocks, seen.Count);
        }
        finally
        {
            NativeMemory.AlignedFree((void*)segment);
        }
    }

    /// <summary>Blocks on the shared free list, counted by following it (the zone is not changed).</summary>
    private int CountShared()
    {
        int count = 0;
        for (nint block = _zone.FreeList; block != 0 && count <= Blocks; block = *(nint*)block)
        {
            count++;
        }

        return count;
    }

    private void AssertDrainsDistinct(int expected)
    {
        var seen = new HashSet<nint>();
        for (nint block = ExAllocateFromZone(_zone); block != 0; block = ExAllocateFromZone(_zone))
        {
            Assert.True(seen.Add(block), $"block 0x{block:X} came out twice");
        }

        Assert.Equal(expected, seen.Count);
    }

    /// <summary>A call handed to a <see cref="CachingThread"/>: its result once it has run.</summary>
    private sealed class Pending
    {
        private readonly ManualResetEventSlim _done = new();
        private nint _result;
        private Exception? _error;

        public nint Result => _error is null ? _result : throw new InvalidOperationException("the call failed", _error);

        public bool Wait(TimeSpan timeout) => _done.Wait(timeout);

        public void Complete(Func<nint> call)
        {
            try
            {
                _result = call();
            }
            catch (Exception error)
            {
                _error = error;
            }

            _done.Set();
        }
    }

    /// <summary>
    /// A second thread that allocates <c>n</c> blocks through the interlocked routines and frees them
    /// again, so they sit in its cache; it then stays alive running what it is given until disposed.
    /// </summary>
    private sealed class CachingThread : IDisposable
    {
        private readonly BlockingCollection<(Func<nint> Call, Pending Done)> _work = new();
        private readonly Thread _thread;

        public CachingThread(ZONE_HEADER zone, KSPIN_LOCK spinLock, int n)
        {
            _thread = new Thread(Loop) { IsBackground = true };
            _thread.Start();
            Cached = new nint[n];
            Run(() =>
            {
                for (int i = 0; i < n; i++)
                {
                    Cached[i] = ExInterlockedAllocateFromZone(zone, spinLock);
                    Assert.NotEqual(0, Cached[i]);
                }

                for (int i = 0; i < n; i++)
                {
                    ExInterlockedFreeToZone(zone, Cached[i], spinLock);
                }

                return 0;
            });
        }

        public nint[] Cached { get; }

        public Pending Start(Func<nint> call)
        {
            var pending = new Pending();
            _work.Add((call, pending));
            return pending;
        }

        public nint Run(Func<nint> call)
        {
            Pending pending = Start(call);
            Assert.True(pending.Wait(Patience.Limit), "the caching thread did not answer");
            return pending.Result;
        }

        public void Dispose()
        {
            _work.CompleteAdding();
            Assert.True(_thread.Join(Patience.Limit));
        }

        private void Loop()
        {
            foreach ((Func<nint> call, Pending done) in _work.GetConsumingEnumerable())
            {
                done.Complete(call);
            }
        }
    }
}
