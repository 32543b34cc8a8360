using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Pool;

public sealed unsafe class PoolConcurrencyTests
{
    private static readonly POOL_TYPE[] Types = [NonPagedPoolNx, PagedPool, NonPagedPoolCacheAligned, PagedPoolCacheAligned];
    private static readonly int[] Sizes = [1, 24, 64, 100, 256, 1000, 4000, 6000];
    private static readonly PoolTag[] Tags = ["Str0", "Str1", "Str2", "Str3"];

    [Fact]
    public void ManyThreads_MillionsOfMixedPairs_AccountingIsExact()
    {
        const int threads = 4;
        const int pairsPerThread = 300_000;
        using var machine = new TestMachine();
        KernelSystem system = machine.System;
        var leftovers = new List<nint>[threads];
        var handedOver = new ConcurrentQueue<nint>();
        Exception? failure = null;

        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int id = t;
            workers[t] = new Thread(() =>
            {
                try
                {
                    leftovers[id] = Work(system, id, pairsPerThread, handedOver);
                }
                catch (Exception ex)
                {
                    failure = ex;
                }
            });
            workers[t].Start();
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        Assert.Null(failure);

        // Each thread keeps the blocks of its 16 slots, and some handed-over blocks are still queued;
        // the main thread frees both below.
        leftovers[0].AddRange(handedOver);
        long expectedPairs = (long)threads * pairsPerThread;
        long allocs = 0, frees = 0, bytes = 0;
        foreach (PoolTagStatistics row in system.QueryPoolTags())
        {
            allocs += row.Allocs;
            frees += row.Frees;
            bytes += row.Bytes;
        }

        long outstanding = 0;
        foreach (List<nint> list in leftovers)
        {
            outstanding += list.Count;
        }

        Assert.Equal(expectedPairs, allocs);
        Assert.Equal(expectedPairs - outstanding, frees);
        Assert.True(bytes > 0);

        foreach (List<nint> list in leftovers)
        {
            list.ForEach(ExFreePool);
        }

        foreach (PoolTagStatistics row in system.QueryPoolTags())
        {
            Assert.Equal(row.Allocs, row.Frees);
            Assert.Equal(0, row.Bytes);
        }
    }

    private static List<nint> Work(KernelSystem system, int seed, int pairs, ConcurrentQueue<nint> handedOver)
    {
        using KernelSystem.Scope scope = system.Enter();
        var random = new Random(seed);
        nint[] slots = new nint[16];
        int[] sizes = new int[16];
        byte[] patterns = new byte[16];
        for (int i = 0; i < pairs; i++)
        {
            int slot = random.Next(slots.Length);
            if (slots[slot] != 0)
            {
                // The block still carries the byte pattern this thread gave it: nobody else got it meanwhile.
                byte expected = patterns[slot];
                if (*(byte*)slots[slot] != expected || *(byte*)(slots[slot] + sizes[slot] - 1) != expected)
                {
                    throw new InvalidOperationException("a live block was handed out twice");
                }

                ExFreePool(slots[slot]);
                i--;
                slots[slot] = 0;
                continue;
            }

            // One allocation in eight goes to whichever thread frees next: cross-thread frees.
            if (handedOver.TryDequeue(out nint foreign))
            {
                ExFreePool(foreign);
            }

            int size = Sizes[random.Next(Sizes.Length)];
            nint p = ExAllocatePoolWithTag(Types[random.Next(Types.Length)], (nuint)size, Tags[random.Next(Tags.Length)]);
            if (random.Next(8) == 0)
            {
                handedOver.Enqueue(p);
                continue;
            }

            byte pattern = (byte)random.Next(256);
            *(byte*)p = pattern;
            *(byte*)(p + size - 1) = pattern;
            patterns[slot] = pattern;
            slots[slot] = p;
            sizes[slot] = size;
        }

        var left = new List<nint>();
        foreach (nint p in slots)
        {
            if (p != 0)
            {
                left.Add(p);
            }
        }

        return left;
    }
}
