using System;
using System.Collections.Generic;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Verifier;

public sealed class LowResourcesSimulationTests
{
    [Fact]
    public void FailureRate_FailsAboutThatFractionOfAllocations()
    {
        using var machine = TestMachine.WithVerifier(new VerifierOptions { LowResourcesFailureRate = 0.25, LowResourcesSeed = 7 });
        int failures = Run(1000, "LowR").Failures;
        Assert.InRange(failures, 200, 300);
    }

    [Fact]
    public void SameSeed_FailsTheSameCalls()
    {
        var options = new VerifierOptions { LowResourcesFailureRate = 0.5, LowResourcesSeed = 42 };
        string first, second, otherSeed;
        using (TestMachine.WithVerifier(options))
        {
            first = Run(200, "LowR").Pattern;
        }

        using (TestMachine.WithVerifier(options))
        {
            second = Run(200, "LowR").Pattern;
        }

        using (TestMachine.WithVerifier(options with { LowResourcesSeed = 43 }))
        {
            otherSeed = Run(200, "LowR").Pattern;
        }

        Assert.Equal(first, second);
        Assert.NotEqual(first, otherSeed);
    }

    [Fact]
    public void TagFilter_FailsOnlyListedTags()
    {
        using var machine = TestMachine.WithVerifier(new VerifierOptions { LowResourcesFailureRate = 1, LowResourcesTags = ["Fail"] });
        Assert.Equal(0, ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Fail"));
        nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Okay");
        Assert.NotEqual(0, p);
        ExFreePool(p);
    }

    [Fact]
    public void SimulatedFailure_FollowsTheRaiseRules()
    {
        using var machine = TestMachine.WithVerifier(new VerifierOptions { LowResourcesFailureRate = 1 });
        Assert.Equal(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES,
            Assert.Throws<NtStatusException>(() => ExAllocatePoolWithTag(PagedPool | POOL_RAISE_IF_ALLOCATION_FAILURE, 64, "Fail")).Status);
        Assert.Equal(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES,
            Assert.Throws<NtStatusException>(() => ExAllocatePoolWithQuotaTag(PagedPool, 64, "Fail")).Status);
        Assert.Equal(0, ExAllocatePoolWithQuotaTag(PagedPool | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 64, "Fail"));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void FailureRateOutsideZeroToOne_IsRejected(double rate)
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => new KernelSystem(new SystemConfiguration { Verifier = new VerifierOptions { LowResourcesFailureRate = rate } }));
        Assert.Contains("between 0 and 1", error.Message, StringComparison.Ordinal);
    }

    private static (int Failures, string Pattern) Run(int count, PoolTag tag)
    {
        char[] pattern = new char[count];
        var blocks = new List<nint>();
        int failures = 0;
        for (int i = 0; i < count; i++)
        {
            nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 32, tag);
            pattern[i] = p == 0 ? 'F' : '.';
            if (p == 0)
            {
                failures++;
            }
            else
            {
                blocks.Add(p);
            }
        }

        blocks.ForEach(ExFreePool);
        return (failures, new string(pattern));
    }
}
