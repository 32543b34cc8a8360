using System;
using System.Collections.Generic;
using System.Threading;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_FLAGS;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Pool;

public sealed unsafe class ExAllocatePool2Tests
{
    [Theory]
    [InlineData(POOL_FLAG_NON_PAGED, 64)]
    [InlineData(POOL_FLAG_PAGED, 1024)]
    [InlineData(POOL_FLAG_NON_PAGED_EXECUTE, 100)]
    public void ReusedDirtyBlock_FromTheThreadCache_IsZeroed(POOL_FLAGS pool, int size)
    {
        using var machine = new TestMachine();
        POOL_TYPE type = pool == POOL_FLAG_PAGED ? PagedPool : pool == POOL_FLAG_NON_PAGED ? NonPagedPoolNx : NonPagedPool;
        nint dirty = ExAllocatePoolWithTag(type, (nuint)size, "Zero");
        new Span<byte>((void*)dirty, size).Fill(0xEE);
        ExFreePoolWithTag(dirty, "Zero");

        nint p = ExAllocatePool2(pool, (nuint)size, "Zero");

        Assert.Equal(dirty, p);
        Assert.True(new Span<byte>((void*)p, size).IndexOfAnyExcept((byte)0) < 0, "block not zeroed");
        ExFreePoolWithTag(p, "Zero");
    }

    [Fact]
    public void FirstRequestWithANewTag_TakesTheGeneralPath_AndIsZeroed()
    {
        using var machine = new TestMachine();
        nint dirty = ExAllocatePoolWithTag(NonPagedPoolNx, 200, "Old1");
        new Span<byte>((void*)dirty, 200).Fill(0xEE);
        ExFreePool(dirty);

        nint p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 200, "New1");

        Assert.Equal(dirty, p);
        Assert.True(new Span<byte>((void*)p, 200).IndexOfAnyExcept((byte)0) < 0, "block not zeroed");
        ExFreePool(p);
    }

    [Fact]
    public void Uninitialized_LeavesTheOldContents()
    {
        using var machine = new TestMachine();
        nint dirty = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Unin");
        new Span<byte>((void*)dirty, 64).Fill(0xEE);
        ExFreePool(dirty);

        nint p = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_UNINITIALIZED, 64, "Unin");

        Assert.Equal(dirty, p);
        Assert.Equal(0xEE, *(byte*)(p + 63));
        ExFreePool(p);
    }

    [Theory]
    [InlineData(POOL_FLAG_NON_PAGED, 10_000)]
    [InlineData(POOL_FLAG_PAGED | POOL_FLAG_CACHE_ALIGNED, 3000)]
    public void BigAndCacheAlignedBlocks_AreZeroedOnReuse(POOL_FLAGS flags, int size)
    {
        using var machine = new TestMachine();
        for (int round = 0; round < 3; round++)
        {
            nint p = ExAllocatePool2(flags, (nuint)size, "BigZ");
            Assert.True(new Span<byte>((void*)p, size).IndexOfAnyExcept((byte)0) < 0, $"round {round}: block not zeroed");
            new Span<byte>((void*)p, size).Fill(0xEE);
            ExFreePoolWithTag(p, "BigZ");
        }
    }

    [Theory]
    [InlineData(POOL_FLAG_PAGED, true)]
    [InlineData(POOL_FLAG_NON_PAGED, false)]
    [InlineData(POOL_FLAG_NON_PAGED_EXECUTE, false)]
    [InlineData(POOL_FLAG_PAGED | POOL_FLAG_SESSION, true)]
    [InlineData(POOL_FLAG_NON_PAGED | POOL_FLAG_SESSION, false)]
    public void PoolFlag_ChoosesThePoolTheBlockIsAccountedIn(POOL_FLAGS flags, bool paged)
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePool2(flags, 48, "Acct");

        Assert.Equal(1, machine.System.QueryPoolTag("Acct", paged).Diff);
        Assert.Equal(0, machine.System.QueryPoolTag("Acct", !paged).Allocs);
        ExFreePoolWithTag(p, "Acct");
        Assert.Equal(0, machine.System.QueryPoolTag("Acct", paged).Diff);
    }

    [Theory]
    [InlineData(POOL_FLAG_NON_PAGED, NonPagedPoolNx)]
    [InlineData(POOL_FLAG_NON_PAGED_EXECUTE, NonPagedPool)]
    [InlineData(POOL_FLAG_PAGED, PagedPool)]
    [InlineData(POOL_FLAG_NON_PAGED | POOL_FLAG_CACHE_ALIGNED, NonPagedPoolNxCacheAligned)]
    [InlineData(POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_CACHE_ALIGNED, NonPagedPoolCacheAligned)]
    [InlineData(POOL_FLAG_PAGED | POOL_FLAG_CACHE_ALIGNED, PagedPoolCacheAligned)]
    [InlineData(POOL_FLAG_NON_PAGED | POOL_FLAG_SESSION, NonPagedPoolSessionNx)]
    [InlineData(POOL_FLAG_NON_PAGED_EXECUTE | POOL_FLAG_SESSION, NonPagedPoolSession)]
    [InlineData(POOL_FLAG_PAGED | POOL_FLAG_SESSION, PagedPoolSession)]
    [InlineData(POOL_FLAG_PAGED | POOL_FLAG_SESSION | POOL_FLAG_CACHE_ALIGNED, PagedPoolCacheAlignedSession)]
    public void Flags_TranslateToThePoolTypeTheVerifierRecords(POOL_FLAGS flags, POOL_TYPE type)
    {
        using var machine = TestMachine.WithVerifier(new VerifierOptions { PoolTracking = true });
        nint p = ExAllocatePool2(flags | POOL_FLAG_UNINITIALIZED, 32, "Xlat");

        Assert.Equal(type, Assert.Single(machine.System.Verifier.GetOutstandingAllocations("Xlat")).PoolType);
        ExFreePool(p);
    }

    [Theory]
    [InlineData(POOL_FLAG_NON_PAGED, 10)]
    [InlineData(POOL_FLAG_PAGED, 100)]
    [InlineData(POOL_FLAG_NON_PAGED, 2000)]
    public void CacheAligned_Gives64ByteAlignedBlocks(POOL_FLAGS pool, int size)
    {
        using var machine = new TestMachine();
        var blocks = new List<nint>();
        for (int i = 0; i < 20; i++)
        {
            nint p = ExAllocatePool2(pool | POOL_FLAG_CACHE_ALIGNED, (nuint)size, "Algn");
            Assert.Equal(0, p % 64);
            blocks.Add(p);
        }

        blocks.ForEach(ExFreePool);
    }

    [Fact]
    public void UnknownOptionalFlags_AreIgnored()
    {
        using var machine = new TestMachine();
        var optional = (POOL_FLAGS)0x4200_0000_0000_0000UL;
        nint p = ExAllocatePool2(POOL_FLAG_NON_PAGED | optional | POOL_FLAG_OPTIONAL_END, 64, "Optn");

        Assert.NotEqual(0, p);
        Assert.Equal(0, *(long*)p);
        ExFreePool(p);
    }

    [Fact]
    public void SpecialPoolFlag_WithTheVerifierOff_IsIgnored()
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_SPECIAL_POOL, 48, "Spcl");

        Assert.NotEqual(0, (p + 48) % 4096);
        ExFreePool(p);
    }

    [Fact]
    public void BlocksOfExAllocatePool2_FreeWithEveryFreeRoutine()
    {
        using var machine = new TestMachine();
        ExFreePool(ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Free"));
        ExFreePoolWithTag(ExAllocatePool2(POOL_FLAG_PAGED, 64, "Free"), "Free");
        ExFreePool2(ExAllocatePool2(POOL_FLAG_NON_PAGED, 9000, "Free"), "Free", null, 0);

        Assert.Equal(0, machine.System.QueryPoolTag("Free", paged: false).Diff);
        Assert.Equal(0, machine.System.QueryPoolTag("Free", paged: true).Diff);
    }

    [Fact]
    public void ExhaustedPool_ReturnsNull_OrRaisesInsufficientResources()
    {
        using var machine = new TestMachine(new SystemConfiguration { PagedPoolSize = 64 * 1024 });

        Assert.Equal(0, ExAllocatePool2(POOL_FLAG_PAGED, 128 * 1024, "Full"));
        NtStatusException raised = Assert.Throws<NtStatusException>(() => ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_RAISE_ON_FAILURE, 128 * 1024, "Full"));
        Assert.Equal(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, raised.Status);
        Assert.Equal(0, machine.System.PagedPoolCommittedBytes);
    }

    [Fact]
    public void ZeroByteRequest_WithoutTheVerifier_ReturnsAUsableBlock()
    {
        using var machine = new TestMachine();
        nint p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 0, "Zero");

        Assert.NotEqual(0, p);
        Assert.Equal(0, *(byte*)p);
        ExFreePool(p);
    }

    [Fact]
    public void DisposedMachine_RefusesModernCalls_WithObjectDisposedException()
    {
        var machine = new KernelSystem();
        using (machine.Enter())
        {
            ExFreePool(ExAllocatePool2(POOL_FLAG_PAGED, 64, "Disp"));
        }

        machine.Dispose();
        using (machine.Enter())
        {
            // The warm thread cache must not serve a block of released memory.
            Assert.Throws<ObjectDisposedException>(() => ExAllocatePool2(POOL_FLAG_PAGED, 64, "Disp"));
            Assert.Throws<ObjectDisposedException>(() => ExAllocatePool3(POOL_FLAG_PAGED, 64, "Disp", [new POOL_EXTENDED_PARAMETER { Type = POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterPriority, Priority = EX_POOL_PRIORITY.HighPoolPriority }], 1));
            Assert.Throws<ObjectDisposedException>(() => ExAllocatePoolZero(PagedPool, 64, "Disp"));
        }
    }

    [Fact]
    public void TwoThreads_AllocatingAndFreeingZeroedBlocks_AlwaysSeeZeroedMemory()
    {
        using var machine = new TestMachine();
        int dirtyBlocks = 0;
        void Work()
        {
            for (int i = 0; i < 20_000; i++)
            {
                int size = 16 + (i % 7 * 100);
                nint p = ExAllocatePool2(POOL_FLAG_NON_PAGED, (nuint)size, "Thrd");
                var block = new Span<byte>((void*)p, size);
                if (block.IndexOfAnyExcept((byte)0) >= 0)
                {
                    Interlocked.Increment(ref dirtyBlocks);
                }

                block.Fill(0xEE);
                ExFreePoolWithTag(p, "Thrd");
            }
        }

        var other = new Thread(Work);
        other.Start();
        Work();
        other.Join();

        Assert.Equal(0, dirtyBlocks);
        Assert.Equal(0, machine.System.QueryPoolTag("Thrd", paged: false).Diff);
    }
}
