using System;
using System.Collections.Concurrent;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ke;

namespace PoolAnalyzers.Runtime.Test.Dpc;

public sealed class ProcessorTests
{
    [Theory]
    [InlineData(1, 0x1UL)]
    [InlineData(3, 0x7UL)]
    [InlineData(63, 0x7FFF_FFFF_FFFF_FFFFUL)]
    [InlineData(64, ulong.MaxValue)]
    public void ProcessorQueries_ReportTheConfiguredProcessors(int count, ulong affinity)
    {
        using var machine = new TestMachine(new SystemConfiguration { ProcessorCount = count });

        Assert.Equal((uint)count, KeQueryActiveProcessorCount());
        Assert.Equal(affinity, KeQueryActiveProcessors());
        Assert.True(KeGetCurrentProcessorNumber() < (uint)count);
    }

    [Fact]
    public void DefaultProcessorCount_IsTheHostsLogicalProcessors_CappedAt64()
    {
        Assert.Equal(Math.Min(Environment.ProcessorCount, 64), new SystemConfiguration().ProcessorCount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(65)]
    public void ProcessorCountOutOfRange_IsRejectedWhenTheMachineIsCreated(int count)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => new KernelSystem(new SystemConfiguration { ProcessorCount = count }));
        Assert.Contains("ProcessorCount", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProcessorNumber_IsStablePerThread_AndBelowTheCount_OnEveryThread()
    {
        using var machine = new TestMachine(new SystemConfiguration { ProcessorCount = 3 });
        var numbers = new ConcurrentBag<uint>();
        var threads = new Patience.OtherThread[12];
        for (int i = 0; i < threads.Length; i++)
        {
            threads[i] = Patience.Start(() =>
            {
                using (machine.System.Enter())
                {
                    uint first = KeGetCurrentProcessorNumber();
                    Assert.Equal(first, KeGetCurrentProcessorNumber());
                    numbers.Add(first);
                }
            });
        }

        foreach (Patience.OtherThread thread in threads)
        {
            thread.Join("a thread asking for its processor number");
        }

        Assert.Equal(threads.Length, numbers.Count);
        Assert.All(numbers, number => Assert.True(number < 3));

        // Threads are spread round-robin, so twelve threads use every one of three processors.
        Assert.Equal(3, new System.Collections.Generic.HashSet<uint>(numbers).Count);
    }
}
