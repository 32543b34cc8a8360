using System;
using System.Diagnostics;
using System.Threading;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;

namespace PoolAnalyzers.Runtime.Test.Lookaside;

public sealed class LookasideDepthTuningTests
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    private static SystemConfiguration NoScan => new() { LookasideScanPeriod = TimeSpan.Zero };

    [Theory]
    [InlineData(0u, 0u, 1.0, 100, 90)]      // fewer than 25 allocations per second: −10
    [InlineData(24u, 24u, 1.0, 100, 90)]    // still under the threshold, however many misses
    [InlineData(74u, 0u, 3.0, 100, 90)]     // the threshold scales with the period: 75 over 3 s
    [InlineData(0u, 0u, 1.0, 12, 4)]        // −10 stops at the floor of 4
    [InlineData(1000u, 4u, 1.0, 100, 99)]   // ratio 4‰ < 5: −1
    [InlineData(1000u, 0u, 1.0, 4, 4)]      // −1 stops at the floor
    [InlineData(1000u, 10u, 1.0, 4, 10)]    // ratio 10: 10·252/2000 + 5 = 6
    [InlineData(1000u, 5u, 1.0, 56, 5 + 56)] // ratio 5 is growth: 5·200/2000 + 5 = 5
    [InlineData(100u, 100u, 1.0, 4, 34)]    // all misses: 1000·252/2000 + 5 = 131, capped at +30
    [InlineData(100u, 100u, 1.0, 250, 256)] // growth stops at MaximumDepth
    [InlineData(25u, 25u, 1.0, 4, 34)]      // exactly 25 per second is not "fewer"
    public void ComputeDepth_FollowsEachBranchOfTheKernelRule(uint allocates, uint misses, double seconds, int depth, int expected)
    {
        ushort result = GENERAL_LOOKASIDE.ComputeDepth(allocates, misses, seconds, (ushort)depth, 256);

        Assert.Equal(expected, result);
    }

    [Fact]
    public void BusyListThatMisses_GrowsThenShrinksWhenIdle()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 32, "Tune", 0);
        AllocateAndFree(list, 100);
        Assert.Equal(100u, list.AllocateMisses);

        machine.AdjustLookasideDepths(OneSecond);

        Assert.Equal(34, list.Depth);
        Assert.Equal(list.TotalAllocates, list.LastTotalAllocates);
        Assert.Equal(list.AllocateMisses, list.LastAllocateMisses);

        machine.AdjustLookasideDepths(OneSecond);
        Assert.Equal(24, list.Depth);
        machine.AdjustLookasideDepths(OneSecond);
        machine.AdjustLookasideDepths(OneSecond);
        Assert.Equal(4, list.Depth);
        machine.AdjustLookasideDepths(OneSecond);
        Assert.Equal(4, list.Depth);
        ExDeleteNPagedLookasideList(list);
    }

    [Fact]
    public void BusyListThatHits_ShrinksByOne()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new PAGED_LOOKASIDE_LIST();
        ExInitializePagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 32, "Tune", 0);
        AllocateAndFree(list, 100);
        machine.AdjustLookasideDepths(OneSecond);
        Assert.Equal(34, list.Depth);

        // One entry allocated and freed 1000 times: one miss at most, a ratio under 5‰.
        for (int i = 0; i < 1000; i++)
        {
            ExFreeToPagedLookasideList(list, ExAllocateFromPagedLookasideList(list));
        }

        machine.AdjustLookasideDepths(OneSecond);

        Assert.Equal(33, list.Depth);
        ExDeletePagedLookasideList(list);
    }

    [Fact]
    public void GrownDepth_LetsTheListCacheMoreEntries()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 32, "Deep", 0);
        AllocateAndFree(list, 100);
        Assert.Equal(4, list.ListHeadDepth);
        Assert.Equal(96u, list.FreeMisses);
        machine.AdjustLookasideDepths(OneSecond);

        AllocateAndFree(list, 100);

        Assert.Equal(34, list.ListHeadDepth);
        Assert.Equal(96u + 66u, list.FreeMisses);
        ExDeleteNPagedLookasideList(list);
        Assert.Equal(0, allocator.Live);
    }

    [Fact]
    public void ShrunkenDepth_KeepsCachedEntriesButRefusesNewOnes()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 32, "Shrk", 0);
        AllocateAndFree(list, 100);
        machine.AdjustLookasideDepths(OneSecond);
        AllocateAndFree(list, 34);
        Assert.Equal(34, list.ListHeadDepth);

        // 34 allocations over 10 s is under 25 per second: −10, with nothing trimmed.
        machine.AdjustLookasideDepths(TimeSpan.FromSeconds(10));
        Assert.Equal(24, list.Depth);
        Assert.Equal(34, list.ListHeadDepth);

        uint missesBefore = list.FreeMisses;
        ExFreeToNPagedLookasideList(list, ExAllocateFromNPagedLookasideList(list));

        Assert.Equal(33, list.ListHeadDepth);
        Assert.Equal(missesBefore + 1, list.FreeMisses);
        ExDeleteNPagedLookasideList(list);
        Assert.Equal(0, allocator.Live);
    }

    [Fact]
    public void Scan_TouchesOnlyThisMachinesLists()
    {
        using var machine = new KernelSystem(NoScan);
        using var other = new KernelSystem(NoScan);
        using var allocator = new RecordingAllocator();
        var mine = new NPAGED_LOOKASIDE_LIST();
        var theirs = new NPAGED_LOOKASIDE_LIST();
        using (machine.Enter())
        {
            ExInitializeNPagedLookasideList(mine, allocator.Allocate, allocator.Free, 0, 16, "Mine", 0);
        }

        using (other.Enter())
        {
            ExInitializeNPagedLookasideList(theirs, allocator.Allocate, allocator.Free, 0, 16, "Thrs", 0);
        }

        AllocateAndFree(mine, 100);
        AllocateAndFree(theirs, 100);
        machine.AdjustLookasideDepths(OneSecond);

        Assert.Equal(34, mine.Depth);
        Assert.Equal(4, theirs.Depth);
        ExDeleteNPagedLookasideList(mine);
        ExDeleteNPagedLookasideList(theirs);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Scan_RejectsANonPositivePeriod(int seconds)
    {
        using var machine = new KernelSystem(NoScan);

        Assert.Throws<ArgumentOutOfRangeException>(() => machine.AdjustLookasideDepths(TimeSpan.FromSeconds(seconds)));
    }

    [Fact]
    public void BackgroundScan_TunesListsOnTheConfiguredPeriod()
    {
        using var machine = new KernelSystem(new SystemConfiguration { LookasideScanPeriod = TimeSpan.FromMilliseconds(200) });
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new NPAGED_LOOKASIDE_LIST();
        Assert.False(machine.IsLookasideScanRunning);
        ExInitializeNPagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 16, "Timr", 0);
        Assert.True(machine.IsLookasideScanRunning);

        // 100 misses in one period make the list grow; idle periods then shrink it by 10 each.
        AllocateAndFree(list, 100);
        int deepest = list.Depth;
        var clock = Stopwatch.StartNew();
        while (list.LastTotalAllocates != 100 && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            deepest = Math.Max(deepest, list.Depth);
            Thread.Sleep(2);
        }

        deepest = Math.Max(deepest, list.Depth);
        Assert.Equal(100u, list.LastTotalAllocates);
        Assert.True(deepest > 4, "the background scan never raised the depth");
        ExDeleteNPagedLookasideList(list);
        Assert.False(machine.IsLookasideScanRunning);
    }

    [Fact]
    public void BackgroundScan_IsOffWhenThePeriodIsNotPositive()
    {
        using var machine = new KernelSystem(new SystemConfiguration { LookasideScanPeriod = TimeSpan.FromSeconds(-1) });
        using KernelSystem.Scope scope = machine.Enter();
        var list = new NPAGED_LOOKASIDE_LIST();

        ExInitializeNPagedLookasideList(list, null, null, 0, 16, "Off ", 0);

        Assert.False(machine.IsLookasideScanRunning);
        ExDeleteNPagedLookasideList(list);
    }

    [Fact]
    public void BackgroundScan_StopsWhenTheMachineStopsIt()
    {
        using var machine = new KernelSystem(new SystemConfiguration { LookasideScanPeriod = TimeSpan.FromSeconds(3) });
        using KernelSystem.Scope scope = machine.Enter();
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, null, null, 0, 16, "Stop", 0);
        Assert.True(machine.IsLookasideScanRunning);

        machine.StopLookasideScanner();

        Assert.False(machine.IsLookasideScanRunning);
        ExDeleteNPagedLookasideList(list);
        ExInitializeNPagedLookasideList(list, null, null, 0, 16, "Stop", 0);
        Assert.False(machine.IsLookasideScanRunning);
        ExDeleteNPagedLookasideList(list);
    }

    private static void AllocateAndFree(NPAGED_LOOKASIDE_LIST list, int count)
    {
        nint[] held = new nint[count];
        for (int i = 0; i < count; i++)
        {
            held[i] = ExAllocateFromNPagedLookasideList(list);
        }

        foreach (nint entry in held)
        {
            ExFreeToNPagedLookasideList(list, entry);
        }
    }

    private static void AllocateAndFree(PAGED_LOOKASIDE_LIST list, int count)
    {
        nint[] held = new nint[count];
        for (int i = 0; i < count; i++)
        {
            held[i] = ExAllocateFromPagedLookasideList(list);
        }

        foreach (nint entry in held)
        {
            ExFreeToPagedLookasideList(list, entry);
        }
    }
}
