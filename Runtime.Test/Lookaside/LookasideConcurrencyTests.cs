using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;

namespace PoolAnalyzers.Runtime.Test.Lookaside;

public sealed class LookasideConcurrencyTests
{
    private const int OperationsPerThread = 200_000;

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void SharedNonPagedList_NeverHandsAnEntryOutTwice_AndLosesNone(int threads)
    {
        using var machine = new KernelSystem(new SystemConfiguration { LookasideScanPeriod = TimeSpan.Zero });
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 16, "Strs", 0);

        // A burst of misses grows the depth to 34, so the list caches more than the threads hold.
        nint[] burst = new nint[100];
        for (int i = 0; i < burst.Length; i++)
        {
            burst[i] = ExAllocateFromNPagedLookasideList(list);
        }

        foreach (nint entry in burst)
        {
            ExFreeToNPagedLookasideList(list, entry);
        }

        machine.AdjustLookasideDepths(TimeSpan.FromSeconds(1));
        Assert.Equal(34, list.Depth);
        var owners = new ConcurrentDictionary<nint, int>();
        RunConcurrently(threads, worker => Churn(worker, owners,
            () => ExAllocateFromNPagedLookasideList(list),
            entry => ExFreeToNPagedLookasideList(list, entry)));

        AssertConservation(list, allocator);
        ExDeleteNPagedLookasideList(list);
        Assert.Equal(allocator.Allocations, allocator.Frees);
        Assert.Equal(0, allocator.Live);
    }

    [Fact]
    public void SharedPagedList_WithScansRunningConcurrently_KeepsEveryEntry()
    {
        using var machine = new KernelSystem(new SystemConfiguration { LookasideScanPeriod = TimeSpan.Zero });
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new PAGED_LOOKASIDE_LIST();
        ExInitializePagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 16, "Strs", 0);
        var owners = new ConcurrentDictionary<nint, int>();
        bool stop = false;
        var scanner = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                machine.AdjustLookasideDepths(TimeSpan.FromMilliseconds(1));
            }
        });
        scanner.Start();

        RunConcurrently(2, worker => Churn(worker, owners,
            () => ExAllocateFromPagedLookasideList(list),
            entry => ExFreeToPagedLookasideList(list, entry)));
        Volatile.Write(ref stop, true);
        scanner.Join();

        AssertConservation(list, allocator);
        ExDeletePagedLookasideList(list);
        Assert.Equal(0, allocator.Live);
    }

    [Fact]
    public void FreeStack_UnderAbaProneInterleavings_KeepsEachAddressExactlyOnce()
    {
        // Few addresses recycled as fast as possible: the pattern where a stale head would be
        // reinstalled (pop A, pop B, push A) if the sequence number did not guard the CAS.
        const int Addresses = 8;
        var stack = new LookasideStack();
        for (int i = 1; i <= Addresses; i++)
        {
            Assert.True(stack.TryPush(i * 16, LookasideStack.Capacity));
        }

        int[] inUse = new int[Addresses + 1];
        int violations = 0;
        RunConcurrently(4, _ =>
        {
            var held = new Stack<nint>();
            var random = new Random(Environment.CurrentManagedThreadId);
            for (int op = 0; op < OperationsPerThread; op++)
            {
                if (held.Count < 3 && random.Next(2) == 0)
                {
                    nint address = stack.TryPop();
                    if (address != 0)
                    {
                        if (Interlocked.Exchange(ref inUse[address / 16], 1) != 0)
                        {
                            Interlocked.Increment(ref violations);
                        }

                        held.Push(address);
                    }
                }
                else if (held.Count > 0)
                {
                    nint address = held.Pop();
                    Volatile.Write(ref inUse[address / 16], 0);
                    Assert.True(stack.TryPush(address, LookasideStack.Capacity));
                }
            }

            while (held.Count > 0)
            {
                nint address = held.Pop();
                Volatile.Write(ref inUse[address / 16], 0);
                Assert.True(stack.TryPush(address, LookasideStack.Capacity));
            }
        });

        Assert.Equal(0, violations);
        Assert.Equal(Addresses, stack.Count);
        var seen = new HashSet<nint>();
        for (nint address = stack.TryPop(); address != 0; address = stack.TryPop())
        {
            Assert.True(seen.Add(address), $"0x{address:X} was cached twice");
        }

        Assert.Equal(Addresses, seen.Count);
    }

    [Fact]
    public void FreeStack_RespectsItsLimitUnderContention()
    {
        var stack = new LookasideStack();
        int accepted = 0;

        RunConcurrently(4, worker =>
        {
            for (int i = 1; i <= 100; i++)
            {
                if (stack.TryPush(((worker * 1000) + i) * 16, 50))
                {
                    Interlocked.Increment(ref accepted);
                }
            }
        });

        Assert.Equal(50, accepted);
        Assert.Equal(50, stack.Count);
    }

    [Fact]
    public void SlotParkedByADeadThread_ReturnsToItsStack()
    {
        var stack = new LookasideStack();
        Assert.True(stack.TryPush(16, LookasideStack.Capacity));
        Assert.Equal(LookasideStack.TotalSlots - 1, stack.SpareCount);

        var worker = new Thread(() => Assert.Equal(16, stack.TryPop()));
        worker.Start();
        worker.Join();

        // The popping thread kept the emptied slot for its next free, then died holding it.
        Assert.Equal(LookasideStack.TotalSlots - 1, stack.SpareCount);
        for (int attempt = 0; attempt < 10 && stack.SpareCount != LookasideStack.TotalSlots; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.Equal(LookasideStack.TotalSlots, stack.SpareCount);
    }

    [Fact]
    public void ParkedSlot_GoesBackToItsOwnStack_WhenTheThreadUsesAnother()
    {
        var first = new LookasideStack();
        var second = new LookasideStack();
        Assert.True(first.TryPush(16, LookasideStack.Capacity));
        Assert.True(second.TryPush(32, LookasideStack.Capacity));

        Assert.Equal(16, first.TryPop());
        Assert.Equal(32, second.TryPop());

        Assert.Equal(LookasideStack.TotalSlots, first.SpareCount);
        Assert.Equal(LookasideStack.TotalSlots - 1, second.SpareCount);
        Assert.True(second.TryPush(32, LookasideStack.Capacity));
        Assert.Equal(LookasideStack.TotalSlots - 1, second.SpareCount);
        Assert.Equal(1, second.Count);
    }

    private static void Churn(int worker, ConcurrentDictionary<nint, int> owners, Func<nint> allocate, Action<nint> free)
    {
        var held = new Queue<nint>();
        var random = new Random(worker);
        for (int op = 0; op < OperationsPerThread; op++)
        {
            if (held.Count == 0 || (held.Count < 16 && random.Next(2) == 0))
            {
                nint entry = allocate();
                Assert.NotEqual(0, entry);
                Assert.True(owners.TryAdd(entry, worker), $"0x{entry:X} handed out while another holder still had it");
                held.Enqueue(entry);
            }
            else
            {
                nint entry = held.Dequeue();
                Assert.True(owners.TryRemove(entry, out _));
                free(entry);
            }
        }

        while (held.Count > 0)
        {
            nint entry = held.Dequeue();
            Assert.True(owners.TryRemove(entry, out _));
            free(entry);
        }
    }

    private static void AssertConservation(GENERAL_LOOKASIDE list, RecordingAllocator allocator)
    {
        // Every entry the allocator produced is either back in its hands or cached in the list.
        Assert.Equal(allocator.Allocations - allocator.Frees, list.ListHeadDepth);
        Assert.Equal(allocator.Live, list.ListHeadDepth);
        Assert.InRange(list.ListHeadDepth, 0, list.MaximumDepth);

        // Each thread counts its own operations, so the sums are exact once the threads are done: every
        // miss called Allocate, every free miss called Free, and the list served entries of its own.
        Assert.Equal((uint)allocator.Allocations, list.AllocateMisses);
        Assert.Equal((uint)allocator.Frees, list.FreeMisses);
        Assert.Equal(list.TotalAllocates, list.TotalFrees);
        Assert.True(list.TotalAllocates > (uint)allocator.Allocations, "the list served nothing from its cache");
    }

    private static void RunConcurrently(int threads, Action<int> body)
    {
        using var start = new Barrier(threads);
        var errors = new ConcurrentQueue<Exception>();
        var workers = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            int worker = i;
            workers[i] = new Thread(() =>
            {
                start.SignalAndWait();
                try
                {
                    body(worker);
                }
                catch (Exception error)
                {
                    errors.Enqueue(error);
                }
            });
            workers[i].Start();
        }

        foreach (Thread thread in workers)
        {
            thread.Join();
        }

        if (!errors.IsEmpty)
        {
            throw new AggregateException(errors);
        }
    }
}
