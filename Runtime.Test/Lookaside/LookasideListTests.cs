using System;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Lookaside;

public sealed class LookasideListTests
{
    private static SystemConfiguration NoScan => new() { LookasideScanPeriod = TimeSpan.Zero };

    [Fact]
    public void Initialize_StartsAtKernelDefaults_IgnoringDepthAndPreallocatingNothing()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new NPAGED_LOOKASIDE_LIST();

        ExInitializeNPagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 48, "Look", Depth: 100);

        Assert.True(list.IsInitialized);
        Assert.Equal(4, list.Depth);
        Assert.Equal(256, list.MaximumDepth);
        Assert.Equal(48u, list.Size);
        Assert.Equal((PoolTag)"Look", list.Tag);
        Assert.Equal(NonPagedPool, list.Type);
        Assert.Equal(0u, list.TotalAllocates);
        Assert.Equal(0u, list.AllocateMisses);
        Assert.Equal(0u, list.TotalFrees);
        Assert.Equal(0u, list.FreeMisses);
        Assert.Equal(0, list.ListHeadDepth);
        Assert.Equal(0, allocator.Allocations);
        Assert.Equal(1, machine.LookasideListCount);
        ExDeleteNPagedLookasideList(list);
    }

    [Fact]
    public void DefaultRoutines_UseTheMachineTheListWasInitializedOn_WhicheverIsCurrent()
    {
        using var home = new KernelSystem(NoScan);
        using var other = new KernelSystem(NoScan);
        var list = new NPAGED_LOOKASIDE_LIST();
        using (home.Enter())
        {
            ExInitializeNPagedLookasideList(list, null, null, 0, 64, "Home", 0);
        }

        nint entry;
        using (other.Enter())
        {
            entry = ExAllocateFromNPagedLookasideList(list);
            Assert.NotEqual(0, entry);
            ExFreeToNPagedLookasideList(list, entry);
            ExDeleteNPagedLookasideList(list);
        }

        // The miss and the delete went to the home machine's pool; the other machine saw nothing.
        PoolTagStatistics row = Assert.Single(home.QueryPoolTags());
        Assert.Equal((PoolTag)"Home", row.Tag);
        Assert.Equal(1, row.Allocs);
        Assert.Equal(1, row.Frees);
        Assert.Empty(other.QueryPoolTags());
    }

    [Fact]
    public void PagedList_HasPagedType()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        var list = new PAGED_LOOKASIDE_LIST();

        ExInitializePagedLookasideList(list, null, null, 0, 8, "Page", 0);

        Assert.Equal(PagedPool, list.Type);
        Assert.Equal(4, list.Depth);
        ExDeletePagedLookasideList(list);
    }

    [Fact]
    public void NonPagedFlags_AreOredIntoTheType()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        var list = new NPAGED_LOOKASIDE_LIST();

        ExInitializeNPagedLookasideList(list, null, null, (uint)(POOL_RAISE_IF_ALLOCATION_FAILURE | POOL_NX_ALLOCATION), 32, "Flag", 0);

        Assert.Equal(NonPagedPoolNx | POOL_RAISE_IF_ALLOCATION_FAILURE, list.Type);
        ExDeleteNPagedLookasideList(list);
    }

    [Fact]
    public void PagedFlags_RaiseIsOredIn_NxIsAcceptedWithoutEffect()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        var raising = new PAGED_LOOKASIDE_LIST();
        var nx = new PAGED_LOOKASIDE_LIST();

        ExInitializePagedLookasideList(raising, null, null, (uint)POOL_RAISE_IF_ALLOCATION_FAILURE, 32, "Flag", 0);
        ExInitializePagedLookasideList(nx, null, null, (uint)POOL_NX_ALLOCATION, 32, "Flag", 0);

        Assert.Equal(PagedPool | POOL_RAISE_IF_ALLOCATION_FAILURE, raising.Type);
        Assert.Equal(PagedPool, nx.Type);
        ExDeletePagedLookasideList(raising);
        ExDeletePagedLookasideList(nx);
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(8u)]
    [InlineData(256u)]
    [InlineData(0x80000000u)]
    public void UnsupportedFlags_ThrowArgumentException(uint flags)
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();

        ArgumentException nonPaged = Assert.Throws<ArgumentException>(() => ExInitializeNPagedLookasideList(new NPAGED_LOOKASIDE_LIST(), null, null, flags, 32, "Flag", 0));
        ArgumentException paged = Assert.Throws<ArgumentException>(() => ExInitializePagedLookasideList(new PAGED_LOOKASIDE_LIST(), null, null, flags, 32, "Flag", 0));

        Assert.Equal("Flags", nonPaged.ParamName);
        Assert.Contains("unsupported bits", nonPaged.Message, StringComparison.Ordinal);
        Assert.Equal("Flags", paged.ParamName);
        Assert.Equal(0, machine.LookasideListCount);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    [InlineData(7u)]
    public void EntrySizeBelowEight_ThrowsArgumentException(uint size)
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();

        ArgumentException nonPaged = Assert.Throws<ArgumentException>(() => ExInitializeNPagedLookasideList(new NPAGED_LOOKASIDE_LIST(), null, null, 0, size, "Size", 0));
        ArgumentException paged = Assert.Throws<ArgumentException>(() => ExInitializePagedLookasideList(new PAGED_LOOKASIDE_LIST(), null, null, 0, size, "Size", 0));

        Assert.Contains("LOOKASIDE_MINIMUM_BLOCK_SIZE", nonPaged.Message, StringComparison.Ordinal);
        Assert.Equal("Size", paged.ParamName);
    }

    [Fact]
    public void EntrySizeOfEight_IsAccepted()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        var list = new NPAGED_LOOKASIDE_LIST();

        ExInitializeNPagedLookasideList(list, null, null, 0, 8, "Size", 0);

        Assert.Equal(8u, list.Size);
        ExDeleteNPagedLookasideList(list);
    }

    [Fact]
    public void CustomCallbacks_ReceiveTheListsTypeSizeAndTag()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var nonPaged = new NPAGED_LOOKASIDE_LIST();
        var paged = new PAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(nonPaged, allocator.Allocate, allocator.Free, (uint)POOL_NX_ALLOCATION, 40, "NpCb", 0);
        ExInitializePagedLookasideList(paged, allocator.Allocate, allocator.Free, (uint)POOL_RAISE_IF_ALLOCATION_FAILURE, 72, "PgCb", 0);

        nint a = ExAllocateFromNPagedLookasideList(nonPaged);
        Assert.Equal(NonPagedPoolNx, allocator.LastType);
        Assert.Equal((nuint)40, allocator.LastSize);
        Assert.Equal((PoolTag)"NpCb", allocator.LastTag);

        nint b = ExAllocateFromPagedLookasideList(paged);
        Assert.Equal(PagedPool | POOL_RAISE_IF_ALLOCATION_FAILURE, allocator.LastType);
        Assert.Equal((nuint)72, allocator.LastSize);
        Assert.Equal((PoolTag)"PgCb", allocator.LastTag);

        Assert.True(allocator.Owns(a));
        Assert.True(allocator.Owns(b));
        ExFreeToNPagedLookasideList(nonPaged, a);
        ExFreeToPagedLookasideList(paged, b);
        ExDeleteNPagedLookasideList(nonPaged);
        ExDeletePagedLookasideList(paged);
        Assert.Equal(0, allocator.Live);
    }

    [Fact]
    public void MixedSequence_CountersMatchTheKernelsBookkeeping()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 64, "Mix ", 0);
        nint[] held = new nint[6];

        for (int i = 0; i < 6; i++)
        {
            held[i] = ExAllocateFromNPagedLookasideList(list);
        }

        AssertCounters(list, totalAllocates: 6, allocateMisses: 6, totalFrees: 0, freeMisses: 0);

        // Depth is 4: the first four frees are cached, the other two go to Free.
        for (int i = 0; i < 6; i++)
        {
            ExFreeToNPagedLookasideList(list, held[i]);
        }

        AssertCounters(list, totalAllocates: 6, allocateMisses: 6, totalFrees: 6, freeMisses: 2);
        Assert.Equal(4, list.ListHeadDepth);
        Assert.Equal(2, allocator.Frees);

        // Four hits drain the list, the fifth misses.
        for (int i = 0; i < 5; i++)
        {
            held[i] = ExAllocateFromNPagedLookasideList(list);
        }

        AssertCounters(list, totalAllocates: 11, allocateMisses: 7, totalFrees: 6, freeMisses: 2);
        Assert.Equal(4u, list.AllocateHits);
        Assert.Equal(0, list.ListHeadDepth);
        Assert.Equal(7, allocator.Allocations);

        for (int i = 0; i < 5; i++)
        {
            ExFreeToNPagedLookasideList(list, held[i]);
        }

        AssertCounters(list, totalAllocates: 11, allocateMisses: 7, totalFrees: 11, freeMisses: 3);
        Assert.Equal(4, allocator.Live);

        ExDeleteNPagedLookasideList(list);
        Assert.Equal(7, allocator.Frees);
        Assert.Equal(0, allocator.Live);
    }

    [Fact]
    public void PagedList_KeepsTheSameCounters()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new PAGED_LOOKASIDE_LIST();
        ExInitializePagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 16, "PgCt", 0);

        nint a = ExAllocateFromPagedLookasideList(list);
        ExFreeToPagedLookasideList(list, a);
        nint b = ExAllocateFromPagedLookasideList(list);

        Assert.Equal(a, b);
        AssertCounters(list, totalAllocates: 2, allocateMisses: 1, totalFrees: 1, freeMisses: 0);
        ExFreeToPagedLookasideList(list, b);
        ExDeletePagedLookasideList(list);
        Assert.Equal(0, allocator.Live);
    }

    [Fact]
    public void CachedEntries_ComeBackLastInFirstOut()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 16, "Lifo", 0);
        nint first = ExAllocateFromNPagedLookasideList(list);
        nint second = ExAllocateFromNPagedLookasideList(list);

        ExFreeToNPagedLookasideList(list, first);
        ExFreeToNPagedLookasideList(list, second);

        Assert.Equal(second, ExAllocateFromNPagedLookasideList(list));
        Assert.Equal(first, ExAllocateFromNPagedLookasideList(list));
        ExFreeToNPagedLookasideList(list, first);
        ExFreeToNPagedLookasideList(list, second);
        ExDeleteNPagedLookasideList(list);
    }

    [Fact]
    public unsafe void DefaultCallbacks_UseThePool_AndEntriesAreWritableMemory()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, null, null, (uint)POOL_NX_ALLOCATION, 100, "Dflt", 0);
        nint[] held = new nint[6];

        for (int i = 0; i < held.Length; i++)
        {
            held[i] = ExAllocateFromNPagedLookasideList(list);
            Assert.NotEqual(0, held[i]);
            new Span<byte>((void*)held[i], 100).Fill((byte)i);
        }

        for (int i = 0; i < held.Length; i++)
        {
            Assert.Equal((byte)i, new Span<byte>((void*)held[i], 100)[99]);
            ExFreeToNPagedLookasideList(list, held[i]);
        }

        Assert.Equal(2u, list.FreeMisses);
        ExDeleteNPagedLookasideList(list);
        Assert.Equal(0, machine.LookasideListCount);
    }

    [Fact]
    public void FailingAllocateRoutine_ReturnsNull()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator { Fail = true };
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 16, "Fail", 0);

        Assert.Equal(0, ExAllocateFromNPagedLookasideList(list));
        AssertCounters(list, totalAllocates: 1, allocateMisses: 1, totalFrees: 0, freeMisses: 0);
        ExDeleteNPagedLookasideList(list);
    }

    [Fact]
    public void FreeingNull_ThrowsArgumentException()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, null, null, 0, 16, "Null", 0);

        ArgumentException error = Assert.Throws<ArgumentException>(() => ExFreeToNPagedLookasideList(list, 0));

        Assert.Equal("Entry", error.ParamName);
        Assert.Equal(0u, list.TotalFrees);
        ExDeleteNPagedLookasideList(list);
    }

    [Fact]
    public void Delete_FreesEveryCachedEntryThroughFree_AndUnlinksTheList()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var list = new PAGED_LOOKASIDE_LIST();
        ExInitializePagedLookasideList(list, allocator.Allocate, allocator.Free, 0, 24, "Dele", 0);
        nint a = ExAllocateFromPagedLookasideList(list);
        nint b = ExAllocateFromPagedLookasideList(list);
        nint c = ExAllocateFromPagedLookasideList(list);
        ExFreeToPagedLookasideList(list, a);
        ExFreeToPagedLookasideList(list, b);
        Assert.Equal(0, allocator.Frees);

        ExDeletePagedLookasideList(list);

        Assert.Equal(2, allocator.Frees);
        Assert.False(allocator.Owns(a));
        Assert.False(allocator.Owns(b));
        Assert.True(allocator.Owns(c));
        Assert.False(list.IsInitialized);
        Assert.Equal(0, machine.LookasideListCount);
        allocator.Free(c);
    }

    [Fact]
    public void DeletedList_RefusesEveryRoutineWithAClearException()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        using var allocator = new RecordingAllocator();
        var nonPaged = new NPAGED_LOOKASIDE_LIST();
        var paged = new PAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(nonPaged, allocator.Allocate, allocator.Free, 0, 16, "Gone", 0);
        ExInitializePagedLookasideList(paged, allocator.Allocate, allocator.Free, 0, 16, "Gone", 0);
        nint entry = ExAllocateFromNPagedLookasideList(nonPaged);
        ExDeleteNPagedLookasideList(nonPaged);
        ExDeletePagedLookasideList(paged);

        AssertDeleted(() => ExAllocateFromNPagedLookasideList(nonPaged));
        AssertDeleted(() => ExFreeToNPagedLookasideList(nonPaged, entry));
        AssertDeleted(() => ExDeleteNPagedLookasideList(nonPaged));
        AssertDeleted(() => ExAllocateFromPagedLookasideList(paged));
        AssertDeleted(() => ExFreeToPagedLookasideList(paged, entry));
        AssertDeleted(() => ExDeletePagedLookasideList(paged));
        allocator.Free(entry);

        static void AssertDeleted(Action action)
        {
            InvalidOperationException error = Assert.Throws<InvalidOperationException>(action);
            Assert.Contains("was deleted", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void NeverInitializedList_RefusesEveryRoutineWithAClearException()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        var nonPaged = new NPAGED_LOOKASIDE_LIST();
        var paged = new PAGED_LOOKASIDE_LIST();

        AssertNeverInitialized(() => ExAllocateFromNPagedLookasideList(nonPaged), "ExInitializeNPagedLookasideList");
        AssertNeverInitialized(() => ExFreeToNPagedLookasideList(nonPaged, 16), "ExInitializeNPagedLookasideList");
        AssertNeverInitialized(() => ExDeleteNPagedLookasideList(nonPaged), "ExInitializeNPagedLookasideList");
        AssertNeverInitialized(() => ExAllocateFromPagedLookasideList(paged), "ExInitializePagedLookasideList");
        AssertNeverInitialized(() => ExFreeToPagedLookasideList(paged, 16), "ExInitializePagedLookasideList");
        AssertNeverInitialized(() => ExDeletePagedLookasideList(paged), "ExInitializePagedLookasideList");

        static void AssertNeverInitialized(Action action, string initializer)
        {
            InvalidOperationException error = Assert.Throws<InvalidOperationException>(action);
            Assert.Contains("never initialized", error.Message, StringComparison.Ordinal);
            Assert.Contains(initializer, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void InitializingALiveList_Throws_ButADeletedListCanBeReinitialized()
    {
        using var machine = new KernelSystem(NoScan);
        using KernelSystem.Scope scope = machine.Enter();
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, null, null, 0, 16, "Twic", 0);

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => ExInitializeNPagedLookasideList(list, null, null, 0, 16, "Twic", 0));
        Assert.Contains("already initialized", error.Message, StringComparison.Ordinal);

        nint entry = ExAllocateFromNPagedLookasideList(list);
        ExFreeToNPagedLookasideList(list, entry);
        ExDeleteNPagedLookasideList(list);
        ExInitializeNPagedLookasideList(list, null, null, 0, 32, "Agin", 0);

        Assert.Equal(32u, list.Size);
        Assert.Equal(0u, list.TotalAllocates);
        Assert.Equal(0u, list.TotalFrees);
        Assert.Equal(1, machine.LookasideListCount);
        ExDeleteNPagedLookasideList(list);
    }

    [Fact]
    public void NullList_ThrowsArgumentNullException()
    {
        Assert.Throws<ArgumentNullException>(() => ExInitializeNPagedLookasideList(null!, null, null, 0, 16, "Null", 0));
        Assert.Throws<ArgumentNullException>(() => ExAllocateFromPagedLookasideList(null!));
    }

    private static void AssertCounters(GENERAL_LOOKASIDE list, uint totalAllocates, uint allocateMisses, uint totalFrees, uint freeMisses)
    {
        Assert.Equal(totalAllocates, list.TotalAllocates);
        Assert.Equal(allocateMisses, list.AllocateMisses);
        Assert.Equal(totalFrees, list.TotalFrees);
        Assert.Equal(freeMisses, list.FreeMisses);
    }
}
