using System;
using System.Reflection;
using System.Runtime.InteropServices;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.KIRQL;
using static PoolAnalyzers.Runtime.NTSTATUS;

namespace PoolAnalyzers.Runtime.Test.Zone;

public sealed unsafe class ZoneTests : IDisposable
{
    private readonly KernelSystem _machine = new(new SystemConfiguration { LookasideScanPeriod = TimeSpan.Zero });
    private readonly KernelSystem.Scope _scope;
    private readonly nint _memory;

    public ZoneTests()
    {
        _scope = _machine.Enter();
        _memory = (nint)NativeMemory.AlignedAlloc(4096, 16);
        new Span<byte>((void*)_memory, 4096).Fill(0xEE);
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree((void*)_memory);
        _scope.Dispose();
        _machine.Dispose();
    }

    [Fact]
    public void Initialize_WritesTheSegmentHeaderAndCarvesBlocksFromOffset16()
    {
        var zone = new ZONE_HEADER();

        NTSTATUS status = ExInitializeZone(zone, 32, _memory, 16 + (4 * 32));

        Assert.Equal(STATUS_SUCCESS, status);
        Assert.Equal(32u, zone.BlockSize);
        Assert.Equal(16u + (4 * 32), zone.TotalSegmentSize);
        Assert.Equal(_memory, zone.SegmentList);
        Assert.Equal(0, ((nint*)_memory)[0]);
        Assert.Equal(0, ((nint*)_memory)[1]);

        // LIFO: the last block carved (the highest) is the head; each free block links to the one below.
        Assert.Equal(_memory + 16 + 96, zone.FreeList);
        Assert.Equal(_memory + 16 + 64, *(nint*)(_memory + 16 + 96));
        Assert.Equal(0, *(nint*)(_memory + 16));
    }

    [Fact]
    public void Allocation_ReturnsTheHighestBlockFirst_ThenNullWhenFull()
    {
        var zone = new ZONE_HEADER();
        ExInitializeZone(zone, 32, _memory, 16 + (4 * 32));

        Assert.False(ExIsFullZone(zone));
        Assert.Equal(_memory + 112, ExAllocateFromZone(zone));
        Assert.Equal(_memory + 80, ExAllocateFromZone(zone));
        Assert.Equal(_memory + 48, ExAllocateFromZone(zone));
        Assert.Equal(_memory + 16, ExAllocateFromZone(zone));
        Assert.True(ExIsFullZone(zone));
        Assert.Equal(0, ExAllocateFromZone(zone));
    }

    [Fact]
    public void SegmentNotAMultipleOfTheBlock_LeavesTheTailUnused()
    {
        var zone = new ZONE_HEADER();

        // Blocks at 16, 48, 80, 112; 144 + 32 would pass the end of a 150-byte segment.
        ExInitializeZone(zone, 32, _memory, 150);

        Assert.Equal(144u, zone.TotalSegmentSize);
        Assert.Equal(_memory + 112, zone.FreeList);
        Assert.Equal(4, Drain(zone));
    }

    [Fact]
    public void SegmentWithRoomForTheHeaderOnly_IsAnEmptyZone()
    {
        var zone = new ZONE_HEADER();

        Assert.Equal(STATUS_SUCCESS, ExInitializeZone(zone, 8, _memory, 16));

        Assert.Equal(16u, zone.TotalSegmentSize);
        Assert.True(ExIsFullZone(zone));
    }

    [Fact]
    public void Free_PushesOnTheHeadAndReturnsThePreviousHead()
    {
        var zone = new ZONE_HEADER();
        ExInitializeZone(zone, 16, _memory, 16 + (3 * 16));
        nint a = ExAllocateFromZone(zone);
        nint b = ExAllocateFromZone(zone);
        nint c = ExAllocateFromZone(zone);

        Assert.Equal(0, ExFreeToZone(zone, b));
        Assert.Equal(b, ExFreeToZone(zone, a));
        Assert.Equal(a, ExFreeToZone(zone, c));

        Assert.Equal(c, ExAllocateFromZone(zone));
        Assert.Equal(a, ExAllocateFromZone(zone));
        Assert.Equal(b, ExAllocateFromZone(zone));
    }

    [Theory]
    [InlineData(4, 32u, 256u)]       // segment not 8-byte aligned
    [InlineData(0, 12u, 256u)]       // block size not a multiple of 8
    [InlineData(0, 0u, 256u)]        // zero block size
    [InlineData(0, 264u, 256u)]      // block larger than the segment
    [InlineData(0, 8u, 8u)]          // segment smaller than its 16-byte header
    [InlineData(0, 8u, 0u)]          // empty segment
    [InlineData(0, uint.MaxValue - 7, 256u)]
    public void BadGeometry_ReturnsUnsuccessful_AndWritesNothing(int misalignment, uint blockSize, uint segmentSize)
    {
        var zone = new ZONE_HEADER();

        NTSTATUS status = ExInitializeZone(zone, blockSize, _memory + misalignment, segmentSize);

        Assert.Equal(STATUS_UNSUCCESSFUL, status);
        Assert.False(zone.IsInitialized);
        Assert.True(new Span<byte>((void*)_memory, 512).IndexOfAnyExcept((byte)0xEE) < 0, "a refused zone wrote into the segment");
    }

    [Fact]
    public void NullSegment_ReturnsUnsuccessful()
    {
        Assert.Equal(STATUS_UNSUCCESSFUL, ExInitializeZone(new ZONE_HEADER(), 16, 0, 256));
    }

    [Fact]
    public void Extend_LinksTheNewSegmentFirst_AndItsBlocksComeOutFirst()
    {
        var zone = new ZONE_HEADER();
        nint second = _memory + 1024;
        ExInitializeZone(zone, 32, _memory, 16 + (2 * 32));

        NTSTATUS status = ExExtendZone(zone, second, 16 + (3 * 32));

        Assert.Equal(STATUS_SUCCESS, status);
        Assert.Equal(second, zone.SegmentList);
        Assert.Equal(_memory, ((nint*)second)[0]);
        Assert.Equal(0, ((nint*)second)[1]);
        Assert.Equal(80u + 112u, zone.TotalSegmentSize);
        Assert.Equal(second + 16 + 64, ExAllocateFromZone(zone));
        Assert.Equal(second + 16 + 32, ExAllocateFromZone(zone));
        Assert.Equal(second + 16, ExAllocateFromZone(zone));
        Assert.Equal(_memory + 48, ExAllocateFromZone(zone));
        Assert.Equal(_memory + 16, ExAllocateFromZone(zone));
        Assert.True(ExIsFullZone(zone));
    }

    [Theory]
    [InlineData(1028, 256u)] // misaligned
    [InlineData(1024, 24u)]  // smaller than a block
    [InlineData(1024, 40u)]  // a block's size, but no block fits after the 16-byte header
    [InlineData(1024, 47u)]  // one byte short of header + block
    [InlineData(1024, 8u)]   // smaller than the header
    [InlineData(0, 256u)]    // NULL
    public void ExtendWithBadGeometry_ReturnsUnsuccessful_AndLeavesTheZoneAlone(int offset, uint segmentSize)
    {
        var zone = new ZONE_HEADER();
        ExInitializeZone(zone, 32, _memory, 144);
        nint segment = offset == 0 ? 0 : _memory + offset;

        Assert.Equal(STATUS_UNSUCCESSFUL, ExExtendZone(zone, segment, segmentSize));

        Assert.Equal(_memory, zone.SegmentList);
        Assert.Equal(144u, zone.TotalSegmentSize);
        Assert.Equal(4, Drain(zone));
    }

    [Fact]
    public void IsObjectInFirstZoneSegment_IsExactBeforeAnyExtension()
    {
        var zone = new ZONE_HEADER();
        ExInitializeZone(zone, 32, _memory, 144);

        Assert.True(ExIsObjectInFirstZoneSegment(zone, _memory));
        Assert.True(ExIsObjectInFirstZoneSegment(zone, _memory + 112));
        Assert.True(ExIsObjectInFirstZoneSegment(zone, _memory + 143));
        Assert.False(ExIsObjectInFirstZoneSegment(zone, _memory + 144));
        Assert.False(ExIsObjectInFirstZoneSegment(zone, _memory - 1));
    }

    [Fact]
    public void IsObjectInFirstZoneSegment_AfterExtension_TestsTheNewestSegmentAgainstTheTotalSize()
    {
        var zone = new ZONE_HEADER();
        nint second = _memory + 1024;
        ExInitializeZone(zone, 32, _memory, 144);
        ExExtendZone(zone, second, 144);

        // The kernel macro compares with SegmentList.Next, now the extension, over 288 bytes:
        // a block of the real first segment is "not in the first segment" ...
        Assert.False(ExIsObjectInFirstZoneSegment(zone, _memory + 16));

        // ... while an address past the extension's end, inside the combined size, is.
        Assert.True(ExIsObjectInFirstZoneSegment(zone, second + 200));
        Assert.False(ExIsObjectInFirstZoneSegment(zone, second + 288));
    }

    [Fact]
    public void FreeingAForeignOrMisalignedBlock_ThrowsArgumentException()
    {
        var zone = new ZONE_HEADER();
        ExInitializeZone(zone, 32, _memory, 144);
        nint block = ExAllocateFromZone(zone);

        ArgumentException foreign = Assert.Throws<ArgumentException>(() => ExFreeToZone(zone, _memory + 2048));
        ArgumentException inside = Assert.Throws<ArgumentException>(() => ExFreeToZone(zone, block + 8));
        ArgumentException header = Assert.Throws<ArgumentException>(() => ExFreeToZone(zone, _memory));

        Assert.Contains("not a block of this zone", foreign.Message, StringComparison.Ordinal);
        Assert.Equal("Block", inside.ParamName);
        Assert.Contains($"0x{_memory:X} is not a block", header.Message, StringComparison.Ordinal);
        Assert.Equal(3, Drain(zone));
    }

    [Fact]
    public void UninitializedZone_IsRefusedWithAClearException()
    {
        var zone = new ZONE_HEADER();

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => ExAllocateFromZone(zone));
        Assert.Contains("ExInitializeZone", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => ExFreeToZone(zone, _memory + 16));
        Assert.Throws<InvalidOperationException>(() => ExIsFullZone(zone));
        Assert.Throws<InvalidOperationException>(() => ExExtendZone(zone, _memory, 256));
        Assert.Throws<InvalidOperationException>(() => ExIsObjectInFirstZoneSegment(zone, _memory));
        Assert.Throws<InvalidOperationException>(() => ExInterlockedAllocateFromZone(zone, new KSPIN_LOCK()));
    }

    [Fact]
    public void InterlockedRoutines_TakeTheLockAndRestoreTheIrql()
    {
        var zone = new ZONE_HEADER();
        var spinLock = new KSPIN_LOCK();
        Ke.KeInitializeSpinLock(spinLock);
        ExInitializeZone(zone, 32, _memory, 144);

        nint block = ExInterlockedAllocateFromZone(zone, spinLock);
        Assert.Equal(_memory + 112, block);
        Assert.Equal(PASSIVE_LEVEL, Ke.KeGetCurrentIrql());
        Assert.False(spinLock.IsHeld);

        Assert.Equal(_memory + 80, ExInterlockedFreeToZone(zone, block, spinLock));
        Assert.Equal(STATUS_SUCCESS, ExInterlockedExtendZone(zone, _memory + 1024, 144, spinLock));
        Assert.Equal(STATUS_UNSUCCESSFUL, ExInterlockedExtendZone(zone, _memory + 1028, 144, spinLock));
        Assert.Equal(PASSIVE_LEVEL, Ke.KeGetCurrentIrql());
        Assert.False(spinLock.IsHeld);
        Assert.Equal(8, Drain(zone));
    }

    [Fact]
    public void InterlockedRoutines_WhileTheCallerHoldsTheLock_BugCheckSpinLockAlreadyOwned()
    {
        var zone = new ZONE_HEADER();
        var spinLock = new KSPIN_LOCK();
        ExInitializeZone(zone, 32, _memory, 144);
        Ke.KeAcquireSpinLock(spinLock, out KIRQL old);
        try
        {
            BugCheckException error = Assert.Throws<BugCheckException>(() => ExInterlockedAllocateFromZone(zone, spinLock));
            Assert.Equal(BugCheckNames.SPIN_LOCK_ALREADY_OWNED, error.BugCheckCode);
            Assert.Equal(DISPATCH_LEVEL, Ke.KeGetCurrentIrql());
            Assert.True(spinLock.IsOwnedByCurrentThread);
        }
        finally
        {
            Ke.KeReleaseSpinLock(spinLock, old);
        }

        Assert.Equal(4, Drain(zone));
    }

    [Fact]
    public void InitializeZone_AbovePassiveLevel_BugChecks()
    {
        using (IrqlScope.Raise(APC_LEVEL))
        {
            BugCheckException error = Assert.Throws<BugCheckException>(() => ExInitializeZone(new ZONE_HEADER(), 32, _memory, 144));
            Assert.Equal(BugCheckNames.IRQL_NOT_LESS_OR_EQUAL, error.BugCheckCode);
            Assert.Equal(0UL, error.Parameter1);
            Assert.Equal((ulong)APC_LEVEL, error.Parameter2);
            Assert.Contains("ExInitializeZone", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ZoneRoutines_WorkAtDispatchLevel_AndBugCheckAboveIt()
    {
        var zone = new ZONE_HEADER();
        var spinLock = new KSPIN_LOCK();
        ExInitializeZone(zone, 32, _memory, 144);

        using (IrqlScope.Raise(DISPATCH_LEVEL))
        {
            nint block = ExAllocateFromZone(zone);
            ExFreeToZone(zone, block);
            block = ExInterlockedAllocateFromZone(zone, spinLock);
            ExInterlockedFreeToZone(zone, block, spinLock);
            Assert.Equal(STATUS_SUCCESS, ExExtendZone(zone, _memory + 1024, 144));
            Assert.False(ExIsFullZone(zone));
            Assert.Equal(DISPATCH_LEVEL, Ke.KeGetCurrentIrql());
        }

        using (IrqlScope.Raise((KIRQL)3))
        {
            AssertIrql(() => ExAllocateFromZone(zone));
            AssertIrql(() => ExFreeToZone(zone, _memory + 16), _memory + 16, write: true);
            AssertIrql(() => ExIsFullZone(zone));
            AssertIrql(() => ExExtendZone(zone, _memory + 2048, 144));
            AssertIrql(() => ExInterlockedAllocateFromZone(zone, spinLock));
            AssertIrql(() => ExInterlockedFreeToZone(zone, _memory + 16, spinLock), _memory + 16, write: true);
            AssertIrql(() => ExInterlockedExtendZone(zone, _memory + 2048, 144, spinLock));
            AssertIrql(() => ExIsObjectInFirstZoneSegment(zone, _memory));
            Assert.False(spinLock.IsHeld);
        }

        Assert.Equal(8, Drain(zone));

        // 0x0A parameters: P1 the memory referenced (the block freed, else 0), P2 the IRQL, P3 1 for a write.
        static void AssertIrql(Action action, nint address = 0, bool write = false)
        {
            BugCheckException bugCheck = Assert.Throws<BugCheckException>(action);
            Assert.Equal(BugCheckNames.IRQL_NOT_LESS_OR_EQUAL, bugCheck.BugCheckCode);
            Assert.Equal((ulong)address, bugCheck.Parameter1);
            Assert.Equal(3UL, bugCheck.Parameter2);
            Assert.Equal(write ? 1UL : 0UL, bugCheck.Parameter3);
            Assert.Equal(0UL, bugCheck.Parameter4);
        }
    }

    [Theory]
    [InlineData(nameof(ExInitializeZone), PASSIVE_LEVEL)]
    [InlineData(nameof(ExAllocateFromZone), DISPATCH_LEVEL)]
    [InlineData(nameof(ExFreeToZone), DISPATCH_LEVEL)]
    [InlineData(nameof(ExIsFullZone), DISPATCH_LEVEL)]
    [InlineData(nameof(ExInterlockedAllocateFromZone), DISPATCH_LEVEL)]
    [InlineData(nameof(ExInterlockedFreeToZone), DISPATCH_LEVEL)]
    [InlineData(nameof(ExExtendZone), DISPATCH_LEVEL)]
    [InlineData(nameof(ExInterlockedExtendZone), DISPATCH_LEVEL)]
    [InlineData(nameof(ExIsObjectInFirstZoneSegment), DISPATCH_LEVEL)]
    public void EveryZoneRoutine_DeclaresItsIrqlCeilingInMetadata(string routine, KIRQL ceiling)
    {
        MethodInfo method = typeof(Ex).GetMethod(routine, BindingFlags.Public | BindingFlags.Static)!;

        Assert.Equal(ceiling, method.GetCustomAttribute<IrqlRequiresMaxAttribute>()!.Irql);
    }

    private static int Drain(ZONE_HEADER zone)
    {
        int blocks = 0;
        while (ExAllocateFromZone(zone) != 0)
        {
            blocks++;
        }

        return blocks;
    }
}
