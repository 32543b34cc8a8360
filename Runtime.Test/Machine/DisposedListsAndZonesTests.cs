using System;
using System.Threading;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.NTSTATUS;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Machine;

/// <summary>
/// After <see cref="KernelSystem.Dispose"/> no lookaside list or zone of the machine can hand out (or
/// take back) memory Dispose released: every call throws <see cref="ObjectDisposedException"/>, even
/// with entries still cached in the calling thread's front cache.
/// </summary>
public sealed class DisposedListsAndZonesTests
{
    private static readonly PoolTag Tag = "Gone";

    [Fact]
    public void NonPagedLookaside_WithCachedEntries_IsUnusableAfterDispose()
    {
        var machine = new TestMachine();
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, null, null, 0, 64, Tag, 0);
        nint first = ExAllocateFromNPagedLookasideList(list);
        nint second = ExAllocateFromNPagedLookasideList(list);
        ExFreeToNPagedLookasideList(list, first);
        ExFreeToNPagedLookasideList(list, second);

        machine.Dispose();

        AssertDisposed(() => ExAllocateFromNPagedLookasideList(list), nameof(ExAllocateFromNPagedLookasideList));
        AssertDisposed(() => ExFreeToNPagedLookasideList(list, first), nameof(ExFreeToNPagedLookasideList));
        AssertDisposed(() => ExDeleteNPagedLookasideList(list), nameof(ExDeleteNPagedLookasideList));

        // The list object itself can start again on a live machine.
        using var next = new TestMachine();
        ExInitializeNPagedLookasideList(list, null, null, 0, 64, Tag, 0);
        nint entry = ExAllocateFromNPagedLookasideList(list);
        ExFreeToNPagedLookasideList(list, entry);
        ExDeleteNPagedLookasideList(list);
    }

    [Fact]
    public void PagedLookaside_WithCachedEntries_IsUnusableAfterDispose()
    {
        var machine = new TestMachine();
        var list = new PAGED_LOOKASIDE_LIST();
        ExInitializePagedLookasideList(list, null, null, 0, 200, Tag, 0);
        nint entry = ExAllocateFromPagedLookasideList(list);
        ExFreeToPagedLookasideList(list, entry);

        machine.Dispose();

        AssertDisposed(() => ExAllocateFromPagedLookasideList(list), nameof(ExAllocateFromPagedLookasideList));
        AssertDisposed(() => ExFreeToPagedLookasideList(list, entry), nameof(ExFreeToPagedLookasideList));
        AssertDisposed(() => ExDeletePagedLookasideList(list), nameof(ExDeletePagedLookasideList));
    }

    [Fact]
    public void ListUsedOnAnotherThread_IsUnusableThereToo()
    {
        var machine = new TestMachine();
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, null, null, 0, 64, Tag, 0);
        using var cached = new System.Threading.ManualResetEventSlim();
        using var disposed = new System.Threading.ManualResetEventSlim();
        Exception? seen = null;
        Patience.OtherThread other = Patience.Start(() =>
        {
            ExFreeToNPagedLookasideList(list, ExAllocateFromNPagedLookasideList(list));
            cached.Set();
            disposed.Wait(Patience.Limit);
            seen = Record.Exception(() => ExAllocateFromNPagedLookasideList(list));
        });

        Patience.Wait(cached, "the other thread to cache an entry");
        machine.Dispose();
        disposed.Set();
        other.Join("the other thread");
        Assert.IsType<ObjectDisposedException>(seen);
    }

    [Fact]
    public unsafe void Zone_InPoolMemory_IsUnusableAfterDispose()
    {
        var machine = new TestMachine();
        var zone = new ZONE_HEADER();
        var spinLock = new KSPIN_LOCK();
        nint segment = ExAllocatePoolWithTag(NonPagedPoolNx, 16 + (4 * 64), Tag);
        nint extension = ExAllocatePoolWithTag(NonPagedPoolNx, 16 + (4 * 64), Tag);
        Assert.Equal(STATUS_SUCCESS, ExInitializeZone(zone, 64, segment, 16 + (4 * 64)));
        nint block = ExAllocateFromZone(zone);

        machine.Dispose();

        AssertDisposed(() => ExAllocateFromZone(zone), nameof(ExAllocateFromZone));
        AssertDisposed(() => ExFreeToZone(zone, block), nameof(ExFreeToZone));
        AssertDisposed(() => ExIsFullZone(zone), nameof(ExIsFullZone));
        AssertDisposed(() => ExExtendZone(zone, extension, 16 + (4 * 64)), nameof(ExExtendZone));
        AssertDisposed(() => ExIsObjectInFirstZoneSegment(zone, block), nameof(ExIsObjectInFirstZoneSegment));
        AssertDisposed(() => ExInterlockedAllocateFromZone(zone, spinLock), nameof(ExInterlockedAllocateFromZone));
        AssertDisposed(() => ExInterlockedFreeToZone(zone, block, spinLock), nameof(ExInterlockedFreeToZone));
        AssertDisposed(() => ExInterlockedExtendZone(zone, extension, 16 + (4 * 64), spinLock), nameof(ExExtendZone));
        Assert.False(spinLock.IsHeld);
    }

    [Fact]
    public void CrashedMachine_ListsAndZonesThrowTheCrash()
    {
        using var machine = new TestMachine();
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, null, null, 0, 64, Tag, 0);
        var zone = new ZONE_HEADER();
        nint segment = ExAllocatePoolWithTag(NonPagedPoolNx, 16 + 64, Tag);
        ExInitializeZone(zone, 64, segment, 16 + 64);
        var crash = new BugCheckException(BugCheckNames.KMODE_EXCEPTION_NOT_HANDLED, 1, 0, 0, 0, "a test crash");
        machine.System.CrashFromRuntimeThread(crash, "the test");

        Assert.Same(crash, Assert.Throws<BugCheckException>(() => ExAllocateFromNPagedLookasideList(list)));
        Assert.Same(crash, Assert.Throws<BugCheckException>(() => ExAllocateFromZone(zone)));
        Assert.Same(crash, Assert.Throws<BugCheckException>(machine.Dispose));
    }

    [Fact]
    public void CrashOnAnotherThread_OnceSeen_ListsThrowItEvenFromAWarmFrontCache()
    {
        // The crash is published after the lists leave their fast paths: a thread that sees it and
        // calls at once must not be served from the front cache it filled before.
        for (int round = 0; round < 200; round++)
        {
            using var machine = new TestMachine();
            var list = new NPAGED_LOOKASIDE_LIST();
            ExInitializeNPagedLookasideList(list, null, null, 0, 64, Tag, 0);
            ExFreeToNPagedLookasideList(list, ExAllocateFromNPagedLookasideList(list));
            var crash = new BugCheckException(BugCheckNames.KMODE_EXCEPTION_NOT_HANDLED, 1, 0, 0, 0, "a test crash");
            Patience.OtherThread crasher = Patience.Start(() => machine.System.CrashFromRuntimeThread(crash, "the test"));
            SpinWait.SpinUntil(() => machine.System.Crash is not null);

            Assert.Same(crash, Assert.Throws<BugCheckException>(() => ExAllocateFromNPagedLookasideList(list)));
            crasher.Join("the crashing thread");
            Assert.Same(crash, Assert.Throws<BugCheckException>(machine.Dispose));
        }
    }

    private static void AssertDisposed(Action call, string routine)
    {
        ObjectDisposedException disposed = Assert.Throws<ObjectDisposedException>(call);
        Assert.Contains(routine, disposed.Message, StringComparison.Ordinal);
    }

    private static void AssertDisposed<T>(Func<T> call, string routine) => AssertDisposed(() => { call(); }, routine);
}
