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
