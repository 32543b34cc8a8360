using System;
using System.Collections.Generic;
using System.Threading;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Pool;

/// <summary>
/// Two threads free the same block at the same moment: exactly one free wins and the other is a
/// double free (0xC2/0x07; 0xC4/0x13 under the verifier), for small and page-granular blocks alike,
/// and the block goes back to the pool once, never to two owners.
/// </summary>
public sealed class RacingFreeTests
{
    private const int Rounds = 250;
    private static readonly PoolTag Tag = "Race";

    [Theory]
    [InlineData(64, false)]
    [InlineData(1024, false)]
    [InlineData(8192, false)]
    [InlineData(64, true)]
    [InlineData(1024, true)]
    [InlineData(8192, true)]
    public void TwoThreadsFreeingOneBlock_ExactlyOneWins_TheOtherIsADoubleFree(int size, bool verified)
    {
        using TestMachine machine = verified ? TestMachine.WithVerifier(new VerifierOptions { PoolTracking = true }) : new TestMachine();
        (uint code, ulong subcode) = verified
            ? (BugCheckNames.DRIVER_VERIFIER_DETECTED_VIOLATION, 0x13UL)
            : (BugCheckNames.BAD_POOL_CALLER, 0x07UL);

        nint[] blocks = new nint[Rounds];
        for (int i = 0; i < Rounds; i++)
        {
            blocks[i] = ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)size, Tag);
        }

        var outcomes = new Exception?[2, Rounds];
        using var start = new Barrier(2);
        var racers = new Patience.OtherThread[2];
        for (int r = 0; r < racers.Length; r++)
        {
            int racer = r;
            racers[r] = Patience.Start(() =>
            {
                for (int i = 0; i < Rounds; i++)
                {
                    Assert.True(start.SignalAndWait(Patience.Limit));
                    outcomes[racer, i] = Record.Exception(() => ExFreePoolWithTag(blocks[i], Tag));
                }
            });
        }

        foreach (Patience.OtherThread racer in racers)
        {
            racer.Join("a racing free");
        }

        for (int i = 0; i < Rounds; i++)
        {
            Exception? first = outcomes[0, i];
            Exception? second = outcomes[1, i];
            Assert.True(first is null ^ second is null, $"round {i}: {(first is null ? "both frees succeeded" : $"both frees failed: {first.Message} / {second?.Message}")}");
            BugCheckException loser = Assert.IsType<BugCheckException>(first ?? second);
            Assert.Equal(code, loser.BugCheckCode);
            Assert.Equal(subcode, loser.Parameter1);
        }

        PoolTagStatistics row = machine.System.QueryPoolTag(Tag, paged: false);
        Assert.Equal(((long)Rounds, (long)Rounds, 0L), (row.Allocs, row.Frees, row.Bytes));

        // Every block went back once: the next allocations are all distinct.
        var handedOut = new HashSet<nint>();
        for (int i = 0; i < 2 * Rounds; i++)
        {
            Assert.True(handedOut.Add(ExAllocatePoolWithTag(NonPagedPoolNx, (nuint)size, Tag)), "a block was handed out twice");
        }

        foreach (nint p in handedOut)
        {
            ExFreePool(p);
        }
    }
}
