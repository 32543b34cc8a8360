using System;
using System.Runtime.InteropServices;
using System.Threading;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.Ke;

namespace PoolAnalyzers.Runtime.Test.Machine;

/// <summary>
/// What fails on a thread the runtime owns (the lookaside depth scan, the clock interrupt with its
/// timer DPCs) crashes the machine and reaches the driver's code through <see cref="KernelSystem.Crash"/>;
/// it never escapes as an unhandled exception, which would end the host. The scan case runs in a
/// child process, where such a regression fails the test instead of the test host.
/// </summary>
public sealed class RuntimeThreadCrashTests
{
    [Fact]
    public void FreeRoutineThrowingInTheBackgroundDepthScan_CrashesTheMachine_NotTheHost()
        => ChildProcess.Run(FreeRoutineThrowsInTheScan);

    [Fact]
    public void TimerDpcRoutineBugChecking_OnTheRealClock_CrashesTheMachine()
    {
        var machine = new KernelSystem(new SystemConfiguration { ProcessorCount = 1 });
        using (machine.Enter())
        {
            var timer = new KTIMER();
            var dpc = new KDPC();
            KeInitializeTimer(timer);
            KeInitializeDpc(dpc, (_, _, _, _) => ExFreePool(0), null);
            KeSetTimer(timer, -10_000, dpc);

            Patience.Until(() => machine.Crash is not null, "the timer's DPC to crash the machine");
            Assert.Equal(BugCheckNames.BAD_POOL_CALLER, machine.Crash!.BugCheckCode);
            Assert.Same(machine.Crash, Assert.Throws<BugCheckException>(() => KeGetCurrentIrql()));
        }

        Assert.Throws<BugCheckException>(machine.Dispose);
    }

    private static unsafe void FreeRoutineThrowsInTheScan()
    {
        var machine = new KernelSystem(new SystemConfiguration { LookasideScanPeriod = TimeSpan.FromMilliseconds(20) });
        var thrown = new InvalidOperationException("the free routine failed");
        BugCheckException crash;
        using (machine.Enter())
        {
            // The Free routine fails only where the scan runs (a thread-pool thread): the driver's own
            // threads below free their overflow normally.
            var list = new NPAGED_LOOKASIDE_LIST();
            ExInitializeNPagedLookasideList(
                list,
                (_, size, _) => (nint)NativeMemory.Alloc(size),
                entry => { if (Thread.CurrentThread.IsThreadPoolThread) { throw thrown; } NativeMemory.Free((void*)entry); },
                0, 64, "Scan", 0);

            // Sixteen threads fill their front caches at once and exit together: up to 16 × 17 entries
            // orphaned, more than the deepest list holds, so adopting them overflows into the Free
            // routine on the scan's thread. The depth moves with every scan, so a round may fall short;
            // rounds repeat until the crash comes.
            for (int round = 0; round < 100 && machine.Crash is null; round++)
            {
                OrphanFullFrontCaches(list, threads: 16);
                SpinWait.SpinUntil(() => machine.Crash is not null, TimeSpan.FromMilliseconds(200));
            }

            Assert.NotNull(machine.Crash);
            crash = machine.Crash;
            Assert.Equal(BugCheckNames.KMODE_EXCEPTION_NOT_HANDLED, crash.BugCheckCode);
            Assert.Same(thrown, crash.InnerException);
            Assert.Contains("the lookaside depth scan", crash.Message, StringComparison.Ordinal);
            Assert.Same(crash, Assert.Throws<BugCheckException>(() => ExAllocateFromNPagedLookasideList(list)));
            Assert.False(machine.IsLookasideScanRunning);
        }

        Assert.Same(crash, Assert.Throws<BugCheckException>(machine.Dispose));
    }

    private static void OrphanFullFrontCaches(NPAGED_LOOKASIDE_LIST list, int threads)
    {
        const int PerThread = 17;
        nint[] entries = new nint[threads * PerThread];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = ExAllocateFromNPagedLookasideList(list);
        }

        using var allCached = new Barrier(threads);
        var workers = new Patience.OtherThread[threads];
        for (int t = 0; t < threads; t++)
        {
            int first = t * PerThread;
            workers[t] = Patience.Start(() =>
            {
                for (int i = first; i < first + PerThread; i++)
                {
                    ExFreeToNPagedLookasideList(list, entries[i]);
                }

                Assert.True(allCached.SignalAndWait(Patience.Limit));
            });
        }

        foreach (Patience.OtherThread worker in workers)
        {
            worker.Join("a thread caching entries");
        }
    }
}
