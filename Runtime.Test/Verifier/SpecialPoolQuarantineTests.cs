using System.Collections.Generic;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Verifier;

/// <summary>
/// What special pool promises after a free: a write into the freed block is 0xCC, a second free is a
/// double free even after the quarantine let the pages go, and an underrun into the pool header
/// just before a block is 0xC1/0x23.
/// </summary>
public sealed unsafe class SpecialPoolQuarantineTests
{
    private static readonly PoolTag Tag = "Quar";

    [Fact]
    public void WriteIntoAFreedSpecialBlock_BugChecks0xCC_AtTheNextSpecialPoolCall()
    {
        using TestMachine machine = SpecialPool();
        nint freed = Allocate(64);
        ExFreePool(freed);

        *(int*)(freed + 8) = 0x41414141;

        BugCheckException bugCheck = Assert.Throws<BugCheckException>(() => Allocate(64));
        Assert.Equal(BugCheckNames.PAGE_FAULT_IN_FREED_SPECIAL_POOL, bugCheck.BugCheckCode);
        Assert.Equal((ulong)(freed + 8), bugCheck.Parameter1);
        Assert.Equal(1UL, bugCheck.Parameter2);
        Assert.Contains("8 bytes into the freed 64-byte special-pool block", bugCheck.Message, System.StringComparison.Ordinal);

        // Reported once; the pool goes on.
        ExFreePool(Allocate(64));
    }

    [Fact]
    public void FreedSpecialBlock_IsNotHandedOutAgainWhileQuarantined()
    {
        using TestMachine machine = SpecialPool();
        nint freed = Allocate(64);
        ExFreePool(freed);
        for (int i = 0; i < 8; i++)
        {
            nint next = Allocate(64);
            Assert.NotEqual(freed, next);
            ExFreePool(next);
        }
    }

    [Fact]
    public void StaleSecondFree_AfterTheQuarantineReleasedThePages_IsStillADoubleFree_AndNoLiveBlockIsFreed()
    {
        using TestMachine machine = SpecialPool();
        nint stale = Allocate(64);
        ExFreePool(stale);

        // Many times the quarantine's bound of same-sized blocks come and go, half of them kept: the
        // OS hands freed ranges straight back, yet no new block may take the stale address.
        var live = new List<nint>();
        for (int i = 0; i < SpecialPoolQuarantine.MaxBlocks * 8; i++)
        {
            nint p = Allocate(64);
            Assert.NotEqual(stale, p);
            if (i % 2 == 0)
            {
                ExFreePool(p);
            }
            else
            {
                live.Add(p);
            }
        }

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, 0x13, () => ExFreePool(stale));
        Assert.Equal((ulong)stale, bugCheck.Parameter3);
        foreach (nint p in live)
        {
            ExFreePool(p);
        }

        Assert.Equal(0, machine.System.QueryPoolTag(Tag, paged: false).Diff);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(-4)]
    [InlineData(-16)]
    public void UnderrunIntoThePoolHeader_BugChecks0xC1_0x23_NamingTheHeader(int offset)
    {
        using TestMachine machine = SpecialPool();
        nint p = Allocate(64);
        *(byte*)(p + offset) ^= 0x5A;

        BugCheckException bugCheck = BugCheckAssert.Raises(BugCheckNames.SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION, (ulong)p, () => ExFreePool(p));
        Assert.Equal((ulong)(p + offset), bugCheck.Parameter2);
        Assert.Equal(0x23UL, bugCheck.Parameter4);
        Assert.Contains("(its pool header)", bugCheck.Message, System.StringComparison.Ordinal);
    }

    private static TestMachine SpecialPool() => TestMachine.WithVerifier(new VerifierOptions { SpecialPool = true });

    private static nint Allocate(nuint bytes) => ExAllocatePoolWithTag(NonPagedPoolNx, bytes, Tag);
}
