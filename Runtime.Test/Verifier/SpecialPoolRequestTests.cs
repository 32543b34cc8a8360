using System;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.EX_POOL_PRIORITY;
using static PoolAnalyzers.Runtime.POOL_FLAGS;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Verifier;

// Requests that ask for special pool - POOL_FLAG_SPECIAL_POOL and the …SpecialPoolOverrun/Underrun
// priorities - get it, for any tag, when the verifier's special pool is on.
public sealed unsafe class SpecialPoolRequestTests
{
    // Special pool on for one other tag only, so a block in special pool got there by asking.
    private static TestMachine SpecialPoolForOtherTags() => TestMachine.WithVerifier(new VerifierOptions { SpecialPool = true, SpecialPoolTags = ["Othr"] });

    [Theory]
    [InlineData(LowPoolPrioritySpecialPoolOverrun)]
    [InlineData(NormalPoolPrioritySpecialPoolOverrun)]
    [InlineData(HighPoolPrioritySpecialPoolOverrun)]
    public void OverrunPriority_EndsTheBlockAtTheEndOfItsPage(EX_POOL_PRIORITY priority)
    {
        using TestMachine machine = SpecialPoolForOtherTags();
        nint p = ExAllocatePoolWithTagPriority(NonPagedPoolNx, 64, "Ovrn", priority);

        Assert.Equal(0, (p + 64) % 4096);
        ExFreePool(p);
        Assert.Equal(0, machine.System.QueryPoolTag("Ovrn", paged: false).Diff);
    }

    [Theory]
    [InlineData(LowPoolPrioritySpecialPoolUnderrun, 64)]
    [InlineData(NormalPoolPrioritySpecialPoolUnderrun, 10)]
    [InlineData(HighPoolPrioritySpecialPoolUnderrun, 5000)]
    public void UnderrunPriority_StartsTheBlockAtTheStartOfAPage(EX_POOL_PRIORITY priority, int size)
    {
        using TestMachine machine = SpecialPoolForOtherTags();
        nint p = ExAllocatePoolWithTagPriority(PagedPool, (nuint)size, "Undr", priority);

        Assert.Equal(0, p % 4096);
        new Span<byte>((void*)p, size).Fill(1);
        ExFreePoolWithTag(p, "Undr");
        Assert.Equal(0, machine.System.QueryPoolTag("Undr", paged: true).Diff);
    }

    [Fact]
    public void WriteJustBeforeAnUnderrunBlock_HitsItsGuardPage_BugCheck0xCD()
    {
        using TestMachine machine = SpecialPoolForOtherTags();
        nint p = ExAllocatePoolWithTagPriority(NonPagedPoolNx, 64, "Undr", NormalPoolPrioritySpecialPoolUnderrun);
        *(byte*)(p - 1) = 0;

        BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => ExFreePool(p));

        Assert.Equal(BugCheckNames.PAGE_FAULT_BEYOND_END_OF_ALLOCATION, bugCheck.BugCheckCode);
        Assert.Equal((ulong)(p - 1), bugCheck.Parameter1);
        Assert.Equal(1UL, bugCheck.Parameter2);
        Assert.Contains("1 bytes before the start of the 64-byte block", bugCheck.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteAfterAnUnderrunBlock_BugChecks0xC1Subcode0x24()
    {
        using TestMachine machine = SpecialPoolForOtherTags();
        nint p = ExAllocatePoolWithTagPriority(NonPagedPoolNx, 10, "Undr", LowPoolPrioritySpecialPoolUnderrun);
        *(byte*)(p + 10) = 0;

        BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => ExFreePool(p));

        Assert.Equal(BugCheckNames.SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, bugCheck.BugCheckCode);
        Assert.Equal((ulong)p, bugCheck.Parameter1);
        Assert.Equal((ulong)(p + 10), bugCheck.Parameter2);
        Assert.Equal(0x24UL, bugCheck.Parameter4);
    }

    [Fact]
    public void RefusedFreeOfADamagedBlock_LeavesItAllocated()
    {
        using TestMachine machine = SpecialPoolForOtherTags();
        nint p = ExAllocatePoolWithTagPriority(NonPagedPoolNx, 32, "Undr", HighPoolPrioritySpecialPoolUnderrun);
        *(byte*)(p - 5) = 0;
        Assert.Throws<BugCheckException>(() => ExFreePool(p));
        *(byte*)(p - 5) = 0xAA;

        ExFreePool(p);
        Assert.Equal(0, machine.System.QueryPoolTag("Undr", paged: false).Diff);
    }

    [Fact]
    public void SpecialPoolFlag_TakesSpecialPool_ForAnyTag_AndZeroesTheBlock()
    {
        using TestMachine machine = SpecialPoolForOtherTags();
        nint p = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_SPECIAL_POOL, 48, "Flag");
        nint ordinary = ExAllocatePool2(POOL_FLAG_NON_PAGED, 48, "Flag");

        Assert.Equal(0, (p + 48) % 4096);
        Assert.True(new Span<byte>((void*)p, 48).IndexOfAnyExcept((byte)0) < 0, "special block not zeroed");
        Assert.Equal(0xAA, *(byte*)(p - 17));
        Assert.NotEqual(0, (ordinary + 48) % 4096);
        ExFreePool(p);
        ExFreePool(ordinary);
    }

    [Fact]
    public void ExAllocatePool3_SpecialPoolPriorityParameter_PicksTheLayout()
    {
        using TestMachine machine = SpecialPoolForOtherTags();
        POOL_EXTENDED_PARAMETER[] underrun = [new() { Type = POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterPriority, Priority = NormalPoolPrioritySpecialPoolUnderrun }];
        nint p = ExAllocatePool3(POOL_FLAG_PAGED, 100, "Pool", underrun, 1);

        Assert.Equal(0, p % 4096);
        Assert.Equal(0, *(long*)(p + 92));
        ExFreePool2(p, "Pool", null, 0);
    }

    [Fact]
    public void SpecialPoolRequests_WithSpecialPoolOff_GetOrdinaryBlocks()
    {
        using var machine = TestMachine.WithVerifier(new VerifierOptions { PoolTracking = true });
        nint viaPriority = ExAllocatePoolWithTagPriority(NonPagedPoolNx, 48, "Norm", HighPoolPrioritySpecialPoolUnderrun);
        nint viaFlag = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_SPECIAL_POOL, 48, "Norm");

        Assert.NotEqual(0, viaPriority % 4096);
        Assert.NotEqual(0, (viaFlag + 48) % 4096);
        ExFreePool(viaPriority);
        ExFreePool(viaFlag);
    }
}
