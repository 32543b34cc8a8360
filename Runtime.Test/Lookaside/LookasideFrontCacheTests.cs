using System;
using System.Collections.Generic;
using System.Threading;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;

namespace PoolAnalyzers.Runtime.Test.Lookaside;

/// <summary>The per-thread front caches in front of a list's shared SLIST: nothing stranded, nothing counted twice.</summary>
public sealed class LookasideFrontCacheTests
{
    private static SystemConfiguration NoScan => new() { LookasideScanPeriod = TimeSpan.Zero };

    [Fact]
    public void EntriesCachedByAThreadThatExited_AreAdopted_BeforeAKnownThreadIsToldTheListIsExhausted()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 32, "Orph", 0);

        // This thread's front cache is registered before the worker runs, so no new registration
        // adopts the worker's cache afterwards, and no scan runs: only the step before a miss can.
        ExFreeToNPagedLookasideList(list, ExAllocateFromNPagedLookasideList(list));
        var cachedByWorker = new List<nint>();
        var worker = new Thread(() =>
        {
            for (int i = 0; i < 3; i++)
            {
                cachedByWorker.Add(ExAllocateFromNPagedLookasideList(list));
            }

            cachedByWorker.ForEach(entry => ExFreeToNPagedLookasideList(list, entry));
        });
        worker.Start();
        worker.Join();
        Assert.Equal(4, allocator.Allocations);
        Assert.Equal(4, list.ListHeadDepth);

        // The pool behind the list is exhausted: every entry now must come from the cache.
        allocator.Fail = true;
        var taken = new List<nint>();
        for (int i = 0; i < 4; i++)
        {
            nint entry = ExAllocateFromNPagedLookasideList(list);
            Assert.NotEqual(0, entry);
            taken.Add(entry);
        }

        Assert.Subset(new HashSet<nint>(taken), new HashSet<nint>(cachedByWorker));
        Assert.Equal(4, allocator.Allocations);
        Assert.Equal(8u, list.TotalAllocates);
        Assert.Equal(4u, list.AllocateMisses);

        // Only then is the list exhausted: a miss, and the failing Allocate routine's NULL.
        Assert.Equal(0, ExAllocateFromNPagedLookasideList(list));
        Assert.Equal(5u, list.AllocateMisses);

        allocator.Fail = false;
        taken.ForEach(entry => ExFreeToNPagedLookasideList(list, entry));
        ExDeleteNPagedLookasideList(list);
        Assert.Equal(0, allocator.Live);
    }

    [Fact]
    public void EntriesCachedByAThreadThatExited_MoveToTheSharedList_AtTheNextScan()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 32, "Orph", 0);

        var cachedByWorker = new List<nint>();
        var worker = new Thread(() =>
        {
            for (int i = 0; i < 4; i++)
            {
                cachedByWorker.Add(ExAllocateFromNPagedLookasideList(list));
            }

            cachedByWorker.ForEach(entry => ExFreeToNPagedLookasideList(list, entry));
        });
        worker.Start();
        worker.Join();
        Assert.Equal(4, list.ListHeadDepth);

        // Four allocations in one second is below 25 per second: the scan keeps the depth at its floor
        // of 4 and adopts the exited thread's entries into the shared list.
        machine.AdjustLookasideDepths(TimeSpan.FromSeconds(1));
        Assert.Equal(4, list.ListHeadDepth);
        Assert.Equal(4u, list.TotalAllocates);
        Assert.Equal(4u, list.TotalFrees);

        // This thread now gets the worker's entries, newest first, without calling Allocate.
        var reused = new List<nint>();
        for (int i = 0; i < 4; i++)
        {
            reused.Add(ExAllocateFromNPagedLookasideList(list));
        }

        Assert.Equal(4, allocator.Allocations);
        Assert.Equal(new HashSet<nint>(cachedByWorker), new HashSet<nint>(reused));
        Assert.Equal(8u, list.TotalAllocates);
        Assert.Equal(4u, list.AllocateMisses);
        reused.ForEach(entry => ExFreeToNPagedLookasideList(list, entry));
        ExDeleteNPagedLookasideList(list);
        Assert.Equal(0, allocator.Live);
    }

    [Fact]
    public void Delete_FreesEntriesCachedByAnotherLiveThread()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new PAGED_LOOKASIDE_LIST();
        ExInitializePagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 32, "Othr", 0);
        using var cached = new ManualResetEventSlim();
        using var done = new ManualResetEventSlim();
        var worker = new Thread(() =>
        {
            nint entry = ExAllocateFromPagedLookasideList(list);
            ExFreeToPagedLookasideList(list, entry);
            cached.Set();
            done.Wait();
        });
        worker.Start();
        cached.Wait();

        Assert.Equal(1, list.ListHeadDepth);
        ExDeletePagedLookasideList(list);
        done.Set();
        worker.Join();

        Assert.Equal(1, allocator.Frees);
        Assert.Equal(0, allocator.Live);
        Assert.Equal(0, list.ListHeadDepth);
        Assert.Equal(1u, list.TotalAllocates);
    }

    [Fact]
    public void ReinitializedList_StartsEmpty_AndNeverServesEntriesOfItsEarlierLife()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var first = new RecordingAllocator();
        using var second = new RecordingAllocator();
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, first.Allocate, first.Free, 0, 32, "Gen1", 0);
        nint old = ExAllocateFromNPagedLookasideList(list);
        ExFreeToNPagedLookasideList(list, old);
        ExDeleteNPagedLookasideList(list);
        Assert.Equal(0, first.Live);

        ExInitializeNPagedLookasideList(list, second.Allocate, second.Free, 0, 32, "Gen2", 0);
        Assert.Equal(0u, list.TotalAllocates);
        Assert.Equal(0, list.ListHeadDepth);
        nint fresh = ExAllocateFromNPagedLookasideList(list);
        Assert.True(second.Owns(fresh));
        Assert.Equal(1u, list.AllocateMisses);
        ExFreeToNPagedLookasideList(list, fresh);
        ExDeleteNPagedLookasideList(list);
        Assert.Equal(0, second.Live);
    }

    [Fact]
    public void ManyListsOnOneThread_EachKeepsItsOwnEntriesAndCounters()
    {
        // More lists than a thread has front-cache slots, so some share a slot and take turns.
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var lists = new NPAGED_LOOKASIDE_LIST[40];
        for (int i = 0; i < lists.Length; i++)
        {
            lists[i] = new NPAGED_LOOKASIDE_LIST();
            ExInitializeNPagedLookasideList(lists[i], allocator.Allocate, allocator.Free, 0, 32, "Many", 0);
        }

        var owner = new Dictionary<nint, int>();
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < lists.Length; i++)
            {
                nint entry = ExAllocateFromNPagedLookasideList(lists[i]);
                if (round == 0)
                {
                    owner.Add(entry, i);
                }

                Assert.Equal(i, owner[entry]);
                ExFreeToNPagedLookasideList(lists[i], entry);
            }
        }

        foreach (NPAGED_LOOKASIDE_LIST list in lists)
        {
            Assert.Equal(3u, list.TotalAllocates);
            Assert.Equal(1u, list.AllocateMisses);
            Assert.Equal(3u, list.TotalFrees);
            Assert.Equal(0u, list.FreeMisses);
            Assert.Equal(1, list.ListHeadDepth);
            ExDeleteNPagedLookasideList(list);
        }

        Assert.Equal(0, allocator.Live);
    }

    [Fact]
    public void ThreadsOnOneList_CountEveryOperationExactly()
    {
        const int PairsPerThread = 50_000;
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 32, "Exct", 0);
        var workers = new Thread[2];
        for (int t = 0; t < workers.Length; t++)
        {
            workers[t] = new Thread(() =>
            {
                for (int i = 0; i < PairsPerThread; i++)
                {
                    nint a = ExAllocateFromNPagedLookasideList(list);
                    nint b = ExAllocateFromNPagedLookasideList(list);
                    ExFreeToNPagedLookasideList(list, a);
                    ExFreeToNPagedLookasideList(list, b);
                }
            });
            workers[t].Start();
        }

        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        Assert.Equal((uint)(4 * PairsPerThread), list.TotalAllocates);
        Assert.Equal((uint)(4 * PairsPerThread), list.TotalFrees);
        Assert.Equal((uint)allocator.Allocations, list.AllocateMisses);
        Assert.Equal((uint)allocator.Frees, list.FreeMisses);
        Assert.Equal(allocator.Live, list.ListHeadDepth);
        ExDeleteNPagedLookasideList(list);
        Assert.Equal(0, allocator.Live);
    }
}
