using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Pool;

/// <summary>
/// Four threads × one million mixed operations (allocations of every kind of block, frees on the
/// allocating thread and on others) checked against a shadow set of every live address: no address
/// is ever live twice, every block keeps the stamp its owner wrote until it is freed, and the
/// accounting ends at zero.
/// </summary>
public sealed unsafe class ShadowSetStressTests
{
    private const int Threads = 4;
    private const int OperationsPerThread = 1_000_000;
    private const int Slots = 64;

    private static readonly POOL_TYPE[] Types = [NonPagedPoolNx, PagedPool, NonPagedPoolNxCacheAligned, PagedPoolCacheAligned];
    private static readonly int[] Sizes = [8, 24, 64, 100, 256, 1000, 2048, 4000];
    private static readonly PoolTag[] Tags = ["Shd0", "Shd1", "Shd2", "Shd3"];

    [Fact]
    public void FourThreads_AMillionMixedOperationsEach_NoAddressIsEverLiveTwice()
    {
        using var machine = new TestMachine();
        var shadow = new ShadowSet();
        var handedOver = new ConcurrentQueue<(nint Block, PoolTag Tag, ulong Stamp)>();
        var workers = new Patience.OtherThread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int id = t;
            workers[t] = Patience.Start(() => Work(id, shadow, handedOver));
        }

        foreach (Patience.OtherThread worker in workers)
        {
            worker.Join("a stress thread");
        }

        while (handedOver.TryDequeue(out (nint Block, PoolTag Tag, ulong Stamp) left))
        {
            Release(shadow, left.Block, left.Tag, left.Stamp);
        }

        Assert.Equal(0, shadow.Count);
        foreach (PoolTagStatistics row in machine.System.QueryPoolTags())
        {
            Assert.Equal(0, row.Diff);
            Assert.Equal(0, row.Bytes);
        }
    }

    private static void Work(int id, ShadowSet shadow, ConcurrentQueue<(nint Block, PoolTag Tag, ulong Stamp)> handedOver)
    {
        var live = new (nint Block, PoolTag Tag, ulong Stamp)[Slots];
        int count = 0;
        uint random = (uint)(id + 1) * 2654435761u;
        ulong sequence = (ulong)id << 48;
        for (int op = 0; op < OperationsPerThread; op++)
        {
            random ^= random << 13;
            random ^= random >> 17;
            random ^= random << 5;
            uint choice = random & 63;
            if (choice == 0 && count > 0)
            {
                // Hand the newest block to whichever thread comes next; free one handed over by another.
                handedOver.Enqueue(live[--count]);
                if (handedOver.TryDequeue(out (nint Block, PoolTag Tag, ulong Stamp) other))
                {
                    Release(shadow, other.Block, other.Tag, other.Stamp);
                }
            }
            else if (count < Slots && (count == 0 || (choice & 1) == 0))
            {
                // One allocation in 16 is page-granular (6000 or 8192 bytes, two pages either way), so the
                // page map, the run caches and the page credit are raced as hard as the small-block caches.
                nuint size = (random >> 8 & 15) == 0 ? ((random >> 14 & 1) == 0 ? 6000u : 8192u) : (nuint)Sizes[(random >> 6) & 7];
                PoolTag tag = Tags[(random >> 10) & 3];
                nint block = ExAllocatePoolWithTag(Types[(random >> 12) & 3], size, tag);
                if (block == 0)
                {
                    Assert.Fail("the pool ran out during the stress run");
                }

                if (!shadow.Add(block))
                {
                    Assert.Fail($"0x{(ulong)block:X} was handed out while it was live");
                }

                *(ulong*)block = ++sequence;
                live[count++] = (block, tag, sequence);
            }
            else if (count > 0)
            {
                int victim = (int)((random >> 16) % (uint)count);
                (nint Block, PoolTag Tag, ulong Stamp) freed = live[victim];
                live[victim] = live[--count];
                Release(shadow, freed.Block, freed.Tag, freed.Stamp);
            }
        }

        for (int i = 0; i < count; i++)
        {
            Release(shadow, live[i].Block, live[i].Tag, live[i].Stamp);
        }
    }

    private static void Release(ShadowSet shadow, nint block, PoolTag tag, ulong stamp)
    {
        // Messages built only on failure: formatting one per operation would dominate the run.
        if (*(ulong*)block != stamp)
        {
            Assert.Fail($"0x{(ulong)block:X} was overwritten while its owner held it (stamp {*(ulong*)block:X}, expected {stamp:X})");
        }

        if (!shadow.Remove(block))
        {
            Assert.Fail($"0x{(ulong)block:X} was freed but is not live");
        }

        ExFreePoolWithTag(block, tag);
    }

    /// <summary>The live addresses, in lock-striped sets so the threads rarely meet on a lock.</summary>
    private sealed class ShadowSet
    {
        private readonly HashSet<nint>[] _stripes = new HashSet<nint>[64];

        public ShadowSet()
        {
            for (int i = 0; i < _stripes.Length; i++)
            {
                _stripes[i] = [];
            }
        }

        public int Count
        {
            get
            {
                int count = 0;
                foreach (HashSet<nint> stripe in _stripes)
                {
                    lock (stripe)
                    {
                        count += stripe.Count;
                    }
                }

                return count;
            }
        }

        public bool Add(nint block)
        {
            HashSet<nint> stripe = StripeOf(block);
            lock (stripe)
            {
                return stripe.Add(block);
            }
        }

        public bool Remove(nint block)
        {
            HashSet<nint> stripe = StripeOf(block);
            lock (stripe)
            {
                return stripe.Remove(block);
            }
        }

        private HashSet<nint> StripeOf(nint block) => _stripes[(int)(((ulong)block >> 4) * 0x9E3779B97F4A7C15UL >> 58)];
    }
}
