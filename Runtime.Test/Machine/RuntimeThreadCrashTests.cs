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
            var list = new NPAGED_LOOKASIDE_LIST();
            ExInitializeNPagedLookasideList(list, (_, size, _) => (nint)NativeMemory.Alloc(size), _ => throw thrown, 0, 64, "Scan", 0);

            // Two threads each cache a full depth (4) of entries and exit together. The scan adopts
            // one thread's entries into the shared list, which then holds Depth; the other thread's go
            // to the Free routine, which throws on the scan's thread.
            using var bothCached = new Barrier(2);
            var threads = new Patience.OtherThread[2];
            for (int t = 0; t < threads.Length; t++)
            {
                threads[t] = Patience.Start(() =>
                {
                    nint[] entries = new nint[GENERAL_LOOKASIDE.MinimumDepth];
                    for (int i = 0; i < entries.Length; i++)
                    {
                        entries[i] = ExAllocateFromNPagedLookasideList(list);
                    }

                    foreach (nint entry in entries)
                    {
                        ExFreeToNPagedLookasideList(list, entry);
                    }

                    Assert.True(bothCached.SignalAndWait(Patience.Limit));
                });
            }

            foreach (Patience.OtherThread thread in threads)
            {
                thread.Join("a thread caching entries");
            }

            Patience.Until(() => machine.Crash is not null, "the depth scan to crash the machine");
            crash = machine.Crash!;
            Assert.Equal(BugCheckNames.KMODE_EXCEPTION_NOT_HANDLED, crash.BugCheckCode);
            Assert.Same(thrown, crash.InnerException);
            Assert.Contains("the lookaside depth scan", crash.Message, StringComparison.Ordinal);
            Assert.Same(crash, Assert.Throws<BugCheckException>(() => ExAllocateFromNPagedLookasideList(list)));
            Assert.False(machine.IsLookasideScanRunning);
        }

        Assert.Same(crash, Assert.Throws<BugCheckException>(machine.Dispose));
    }
}
