using System;
using System.Threading;
using System.Threading.Tasks;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.Ke;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Dpc;

public sealed class DpcDisposeTests
{
    [Fact]
    public void Dispose_EndsTheProcessorThreads()
    {
        var machine = new KernelSystem(new SystemConfiguration { ProcessorCount = 2 });
        var recorders = new DpcRecorder[2];
        using (machine.Enter())
        {
            for (byte processor = 0; processor < 2; processor++)
            {
                recorders[processor] = new DpcRecorder();
                KeSetTargetProcessorDpc(recorders[processor].Dpc, processor);
                KeInsertQueueDpc(recorders[processor].Dpc, null, null);
            }

            KeFlushQueuedDpcs();
        }

        machine.Dispose();

        Assert.All(recorders, recorder => Assert.False(recorder.Runs[0].Thread.IsAlive));
    }

    [Fact]
    public void Dispose_DiscardsQueuedDpcs_WaitsForTheRunningRoutine_AndNothingRunsAfterIt()
    {
        var machine = new KernelSystem(new SystemConfiguration { ProcessorCount = 1 });
        DpcRecorder queued;
        ProcessorGate gate;
        using (machine.Enter())
        {
            gate = ProcessorGate.Close(0);
            queued = new DpcRecorder();
            KeInsertQueueDpc(queued.Dpc, null, null);
        }

        Patience.OtherThread disposing = Patience.Start(machine.Dispose);
        Patience.Until(() => !queued.Dpc.IsQueued, "Dispose to discard the queued DPC");
        Assert.True(disposing.IsAlive);   // still waiting for the gate's routine

        gate.Open();
        disposing.Join("Dispose to return");

        Assert.False(gate.Thread!.IsAlive);
        Assert.Equal(0, queued.Count);
        using (machine.Enter())
        {
            Assert.Throws<ObjectDisposedException>(() => KeInsertQueueDpc(queued.Dpc, null, null));
            Assert.Throws<ObjectDisposedException>(KeFlushQueuedDpcs);
            Assert.False(KeRemoveQueueDpc(queued.Dpc));
            Assert.Throws<ObjectDisposedException>(() => KeInitializeDpc(new KDPC(), (_, _, _, _) => { }, null));
        }
    }

    [Fact]
    public void Dispose_WithARoutineStuckPastTheWatchdog_ThrowsTheViolation_AndFreesThePoolOnlyWhenTheRoutineReturns()
    {
        var machine = new KernelSystem(new SystemConfiguration { ProcessorCount = 1, DpcWatchdogTimeout = TimeSpan.FromMilliseconds(100) });
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        Thread? processor = null;
        nint block = 0;
        bool blockStillReadable = false;
        using (machine.Enter())
        {
            var dpc = new KDPC();
            KeInitializeDpc(dpc, (_, _, _, _) =>
            {
                processor = Thread.CurrentThread;
                block = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Stuk");
                entered.Set();
                release.Wait(Patience.Limit);

                // Dispose returned long ago, but the pool memory is still mapped for this routine.
                unsafe
                {
                    *(long*)block = 42;
                    blockStillReadable = *(long*)block == 42;
                }
            }, null);
            KeInsertQueueDpc(dpc, null, null);
            Patience.Wait(entered, "the routine to start");
        }

        BugCheckException crash = Assert.Throws<BugCheckException>(machine.Dispose);
        Assert.Equal(BugCheckNames.DPC_WATCHDOG_VIOLATION, crash.BugCheckCode);
        Assert.Equal(0UL, crash.Parameter1);
        Assert.True(processor!.IsAlive);

        release.Set();
        Patience.Join(processor, "the stuck routine to return");
        Assert.True(blockStillReadable);
        machine.Dispose();
    }

    [Fact]
    public void DisposeOfACrashedMachine_StillWaitsForARoutineFinishingOnAnotherProcessor()
    {
        var machine = new KernelSystem(new SystemConfiguration { ProcessorCount = 2 });
        ProcessorGate gate;
        DpcRecorder queued;
        using (machine.Enter())
        {
            gate = ProcessorGate.Close(1);
            queued = new DpcRecorder();
            KeSetTargetProcessorDpc(queued.Dpc, 1);
            KeInsertQueueDpc(queued.Dpc, null, null);

            var failing = new KDPC();
            KeInitializeDpc(failing, (_, _, _, _) => throw new InvalidOperationException("crash"), null);
            KeSetTargetProcessorDpc(failing, 0);
            KeInsertQueueDpc(failing, null, null);
            Assert.Throws<BugCheckException>(KeFlushQueuedDpcs);
        }

        BugCheckException? thrown = null;
        Patience.OtherThread disposing = Patience.Start(() => thrown = Assert.Throws<BugCheckException>(machine.Dispose));
        Patience.Until(() => !queued.Dpc.IsQueued, "Dispose to discard the queued DPC");
        Assert.True(disposing.IsAlive);   // waiting for the gate's routine on processor 1

        gate.Open();
        disposing.Join("Dispose to return");
        Assert.Same(machine.Crash, thrown);
        Assert.False(gate.Thread!.IsAlive);
        Assert.Equal(0, queued.Count);
    }

    [Fact]
    public void RoutineThatDisposesItsOwnMachine_DoesNotWaitForItself()
    {
        var machine = new KernelSystem(new SystemConfiguration { ProcessorCount = 1 });
        using var disposed = new ManualResetEventSlim();
        Thread? processor = null;
        using (machine.Enter())
        {
            var dpc = new KDPC();
            KeInitializeDpc(dpc, (_, _, _, _) =>
            {
                processor = Thread.CurrentThread;
                machine.Dispose();
                disposed.Set();
            }, null);
            KeInsertQueueDpc(dpc, null, null);
        }

        Patience.Wait(disposed, "the routine's Dispose to return");
        Patience.Join(processor!, "the processor thread to end after its routine");
        Assert.Null(machine.Crash);
    }

    [Fact]
    public void DisposeTwice_AndFromSeveralThreads_TearsDownOnce()
    {
        for (int round = 0; round < 10; round++)
        {
            var machine = new KernelSystem(new SystemConfiguration { ProcessorCount = 2 });
            using (machine.Enter())
            {
                var recorder = new DpcRecorder();
                KeInsertQueueDpc(recorder.Dpc, null, null);
            }

            Parallel.Invoke(machine.Dispose, machine.Dispose, machine.Dispose);
            machine.Dispose();
            Assert.Null(machine.Crash);
        }
    }
}
