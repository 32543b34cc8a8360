using System.Collections.Generic;
using System.Threading;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Pool;

public sealed class PoolReuseTests
{
    [Fact]
    public void FreedBigBlock_RunIsReusedForSamePageCount()
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePoolWithTag(PagedPool, 8192, "Run1");
        ExFreePool(p);
        nint q = ExAllocatePoolWithTag(PagedPool, 8000, "Run1");
        Assert.Equal(p, q);
        Assert.Equal(2 * 4096, machine.System.PagedPoolCommittedBytes);
        ExFreePool(q);
        BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x07, () => ExFreePool(q));
    }

    [Fact]
    public void BlocksCachedByAThreadThatExited_AreAdoptedByOtherThreads()
    {
        // One 64 KiB chunk: 16 pages of four 1000-byte blocks. The worker carves them all and frees
        // them into its own cache (64 blocks, its full depth), then exits.
        using var machine = new TestMachine(new SystemConfiguration { NonPagedPoolSize = 64 * 1024 });
        var worker = new Thread(() => Churn(64));
        worker.Start();
        worker.Join();

        // Without adoption the pool would be exhausted: every page is carved and the blocks sit in a dead cache.
        int allocated = 0;
        var reader = new Thread(() => allocated = Churn(64));
        reader.Start();
        reader.Join();

        Assert.Equal(64, allocated);
        Assert.Equal(64 * 1024, machine.System.NonPagedPoolCommittedBytes);
    }

    [Fact]
    public void BlocksCachedByAThreadThatExited_AreAdoptedBeforeAKnownThreadIsToldThePoolIsExhausted()
    {
        using var machine = new TestMachine(new SystemConfiguration { NonPagedPoolSize = 64 * 1024 });

        // This thread's cache is registered before the worker runs, so no new registration adopts
        // the worker's cache afterwards: only the step before reporting exhaustion can.
        ExFreePool(ExAllocatePoolWithTag(NonPagedPoolNx, 16, "Adop"));
        int worker = 0;
        var thread = new Thread(() => worker = FillAndFree());
        thread.Start();
        thread.Join();

        // Without adoption the worker's cache would keep up to 64 of those blocks out of reach.
        Assert.True(worker > 32);
        int here = FillAndFree();
        Assert.True(here >= worker, $"{here} blocks after the worker exited, {worker} for the worker");
    }

    [Fact]
    public void PageCreditHeldByAThreadThatExited_IsAdoptedBeforeAKnownThreadIsToldThePoolIsExhausted()
    {
        using var machine = new TestMachine(new SystemConfiguration { NonPagedPoolSize = 128 * 1024 });

        // This thread's cache is registered first, so only the step before reporting exhaustion can
        // retire the worker's cache. The worker's 8 KiB pair leaves it holding 72 KiB of page credit.
        ExFreePool(ExAllocatePoolWithTag(NonPagedPoolNx, 16, "Cred"));
        var thread = new Thread(() => ExFreePool(ExAllocatePoolWithTag(NonPagedPoolNx, 8192, "Cred")));
        thread.Start();
        thread.Join();
        Assert.Equal(ThreadCache.Batch * 32, machine.System.NonPagedPoolCommittedBytes);

        // 96 KiB fits only once the worker's credit is back in the pool.
        nint big = ExAllocatePoolWithTag(NonPagedPoolNx, 96 * 1024, "Cred");
        Assert.NotEqual(0, big);
        Assert.Equal(96 * 1024, machine.System.NonPagedPoolCommittedBytes);
        ExFreePool(big);
    }

    [Fact]
    public void DoubleFreeOfABigBlock_IsRecognised_AfterAThousandOtherFrees()
    {
        using var machine = new TestMachine();
        nint first = ExAllocatePoolWithTag(NonPagedPoolNx, 8192, "Dbl ");
        ExFreePool(first);
        for (int i = 0; i < 1000; i++)
        {
            ExFreePool(ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)(8192 + (i % 3 * 4096)), "Dbl "));
        }

        BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => ExFreePool(first));
        Assert.Equal((BugCheckNames.BAD_POOL_CALLER, 0x07UL), (bugCheck.BugCheckCode, bugCheck.Parameter1));
    }

    /// <summary>Allocates 1000-byte blocks until the pool says no, frees them all, returns how many it got.</summary>
    private static int FillAndFree()
    {
        var blocks = new List<nint>();
        for (nint p; (p = ExAllocatePoolWithTag(NonPagedPoolNx, 1000, "Adop")) != 0;)
        {
            blocks.Add(p);
        }

        blocks.ForEach(ExFreePool);
        return blocks.Count;
    }

    private static int Churn(int count)
    {
        var blocks = new List<nint>();
        for (int i = 0; i < count; i++)
        {
            nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 1000, "Adop");
            if (p != 0)
            {
                blocks.Add(p);
            }
        }

        blocks.ForEach(ExFreePool);
        return blocks.Count;
    }
}
