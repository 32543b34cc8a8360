using System;
using System.Linq;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Pool;

public sealed class PoolAccountingTests
{
    [Fact]
    public void TagCounters_TrackAllocsFreesAndOutstandingBytesPerPool()
    {
        using var machine = new TestMachine();
        nint a = ExAllocatePoolWithTag(PagedPool, 100, "Acct");
        nint b = ExAllocatePoolWithTag(PagedPool, 300, "Acct");
        nint c = ExAllocatePoolWithTag(NonPagedPoolNx, 9000, "Acct");
        ExFreePool(a);

        PoolTagStatistics paged = machine.System.QueryPoolTag("Acct", paged: true);
        Assert.Equal(new PoolTagStatistics("Acct", true, 2, 1, 300), paged);
        Assert.Equal(1, paged.Diff);
        Assert.Equal(300, paged.PerAlloc);

        PoolTagStatistics nonPaged = machine.System.QueryPoolTag("Acct", paged: false);
        Assert.Equal(new PoolTagStatistics("Acct", false, 1, 0, 9000), nonPaged);

        ExFreePool(b);
        ExFreePool(c);
        Assert.Equal(0, machine.System.QueryPoolTag("Acct", paged: true).Bytes);
        Assert.Equal(0, machine.System.QueryPoolTag("Acct", paged: false).Bytes);
    }

    [Fact]
    public void TagCounters_StayExact_WhenTagsAndPoolsAlternate_AndWhenReadBetweenBatches()
    {
        // Each thread keeps the row of the key it used last apart from its table and publishes it when
        // the key changes: alternate keys (two tags, both pools, small and page-granular) and read
        // between calls, so every hand-over between the hot row and the table is counted once.
        using var machine = new TestMachine();
        string[] tags = ["AltA", "AltB"];
        nint[] live = new nint[3 * 4];
        long[] expectedBytes = new long[4];
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < 4; i++)
            {
                POOL_TYPE type = i < 2 ? PagedPool : NonPagedPoolNx;
                nuint bytes = (nuint)(round == 1 ? 5000 + i : 40 + i);
                live[(round * 4) + i] = ExAllocatePoolWithTag(type, bytes, tags[i % 2]);
                expectedBytes[i] += (long)bytes;
                Assert.Equal(round + 1, machine.System.QueryPoolTag(tags[i % 2], paged: i < 2).Allocs);
            }
        }

        for (int i = 0; i < 4; i++)
        {
            PoolTagStatistics row = machine.System.QueryPoolTag(tags[i % 2], paged: i < 2);
            Assert.Equal(new PoolTagStatistics(tags[i % 2], i < 2, 3, 0, expectedBytes[i]), row);
        }

        for (int k = live.Length - 1; k >= 0; k--)
        {
            ExFreePoolWithTag(live[k], tags[k % 2]);
        }

        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(new PoolTagStatistics(tags[i % 2], i < 2, 3, 3, 0), machine.System.QueryPoolTag(tags[i % 2], paged: i < 2));
        }
    }

    [Fact]
    public void QueryPoolTag_ForUnusedTag_ReturnsZeroRow()
    {
        using var machine = new TestMachine();
        Assert.Equal(new PoolTagStatistics("Nope", false, 0, 0, 0), machine.System.QueryPoolTag("Nope", paged: false));
        Assert.Empty(machine.System.QueryPoolTags());
    }

    [Fact]
    public void Machines_KeepSeparateAccounting()
    {
        using var first = new KernelSystem();
        using var second = new KernelSystem();
        nint p;
        using (first.Enter())
        {
            p = ExAllocatePoolWithTag(PagedPool, 10, "Sepa");
        }

        using (second.Enter())
        {
            Assert.Equal(0, second.QueryPoolTag("Sepa", paged: true).Allocs);
            BugCheckAssert.Raises(BugCheckNames.BAD_POOL_CALLER, 0x42, () => ExFreePool(p));
        }

        using (first.Enter())
        {
            ExFreePool(p);
        }

        Assert.Equal(1, first.QueryPoolTag("Sepa", paged: true).Frees);
    }

    [Fact]
    public void PoolMonitorTable_HasPoolmonColumnsAndOneLinePerTagAndPool()
    {
        using var machine = new TestMachine();
        nint a = ExAllocatePoolWithTag(PagedPool, 64, "Fred");
        nint b = ExAllocatePoolWithTag(PagedPool, 64, "Fred");
        nint c = ExAllocatePoolWithTag(NonPagedPoolNx, 10, "Abc");
        ExFreePool(b);

        string[] lines = machine.System.FormatPoolMonitor().Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(["Tag", "Type", "Allocs", "Frees", "Diff", "Bytes", "Per", "Alloc"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["Abc", "Nonp", "1", "0", "1", "10", "10"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["Fred", "Paged", "2", "1", "1", "64", "64"], lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("Abc  Nonp", lines[1], StringComparison.Ordinal);

        ExFreePool(a);
        ExFreePool(c);
    }

    [Fact]
    public void Accounting_FromThreadsThatExited_IsKept()
    {
        using var machine = new TestMachine();
        var worker = new System.Threading.Thread(() =>
        {
            for (int i = 0; i < 10; i++)
            {
                ExAllocatePoolWithTag(NonPagedPoolNx, 32, "Gone");
            }
        });
        worker.Start();
        worker.Join();

        Assert.Equal(10, machine.System.QueryPoolTags().Single(row => row.Tag == "Gone").Diff);
    }
}
