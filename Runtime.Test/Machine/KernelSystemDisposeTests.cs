using System;
using System.Threading;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Machine;

public sealed class KernelSystemDisposeTests
{
    [Fact]
    public void Dispose_StopsTheLookasideScan_AndNoListCanBeInitializedOnTheMachineAfterwards()
    {
        var machine = new KernelSystem(new SystemConfiguration { LookasideScanPeriod = TimeSpan.FromHours(1) });
        var list = new NPAGED_LOOKASIDE_LIST();
        using (machine.Enter())
        {
            ExInitializeNPagedLookasideList(list, null, null, 0, 64, "Scan", 0);
            Assert.True(machine.IsLookasideScanRunning);

            machine.Dispose();

            Assert.False(machine.IsLookasideScanRunning);
            var late = new NPAGED_LOOKASIDE_LIST();
            Assert.Throws<ObjectDisposedException>(() => ExInitializeNPagedLookasideList(late, null, null, 0, 64, "Late", 0));
            Assert.False(late.IsInitialized);
            Assert.Equal(1, machine.LookasideListCount);
            Assert.False(machine.IsLookasideScanRunning);
        }
    }

    [Fact]
    public void Dispose_Twice_IsHarmless()
    {
        var machine = new KernelSystem();
        using (machine.Enter())
        {
            ExAllocatePoolWithTag(PagedPool, 64, "Twic");
        }

        machine.Dispose();
        machine.Dispose();

        using (machine.Enter())
        {
            Assert.Throws<ObjectDisposedException>(() => ExAllocatePoolWithTag(PagedPool, 64, "Twic"));
        }
    }

    [Fact]
    public void ConcurrentDispose_TearsDownOnce_WithoutAnyCallFailing()
    {
        for (int round = 0; round < 20; round++)
        {
            var machine = new KernelSystem(new SystemConfiguration { LookasideScanPeriod = TimeSpan.FromHours(1) });
            var list = new NPAGED_LOOKASIDE_LIST();
            using (machine.Enter())
            {
                // Memory in chunks and big pages, so a second teardown would release it twice.
                ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Race");
                ExAllocatePoolWithTag(PagedPool, 3 * 4096, "Race");
                ExInitializeNPagedLookasideList(list, null, null, 0, 64, "Race", 0);
            }

            int failures = 0;
            using var start = new Barrier(4);
            var threads = new Thread[4];
            for (int t = 0; t < threads.Length; t++)
            {
                threads[t] = new Thread(() =>
                {
                    start.SignalAndWait();
                    try
                    {
                        machine.Dispose();
                    }
                    catch (Exception)
                    {
                        Interlocked.Increment(ref failures);
                    }
                });
                threads[t].Start();
            }

            foreach (Thread thread in threads)
            {
                thread.Join();
            }

            Assert.Equal(0, failures);
            Assert.False(machine.IsLookasideScanRunning);
        }
    }
}
