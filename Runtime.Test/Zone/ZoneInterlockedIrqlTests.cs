using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.KIRQL;
using static PoolAnalyzers.Runtime.NTSTATUS;

namespace PoolAnalyzers.Runtime.Test.Zone;

// The interlocked zone routines raise to DISPATCH_LEVEL, take the caller's spin lock, work, release
// and come back down. The IRQL is per thread, so it is observed from a second thread: the test holds
// the lock, the worker calls the routine and must wait for it at DISPATCH_LEVEL, which it can only
// reach inside the routine. KeReleaseSpinLock refuses to run anywhere but DISPATCH_LEVEL, so the
// worker's release succeeding shows the level held until the lock was let go.
public sealed unsafe class ZoneInterlockedIrqlTests : IDisposable
{
    private readonly nint _memory = (nint)NativeMemory.AlignedAlloc(4096, 16);
    private readonly ZONE_HEADER _zone = new();
    private readonly KSPIN_LOCK _lock = new();

    public ZoneInterlockedIrqlTests()
    {
        Assert.Equal(STATUS_SUCCESS, ExInitializeZone(_zone, 32, _memory, 144));
    }

    public void Dispose() => NativeMemory.AlignedFree((void*)_memory);

    [Fact]
    public void InterlockedAllocate_WaitsForTheLockAtDispatchLevel_ThenReturnsToTheCallersIrql()
    {
        nint head = _zone.FreeList;

        nint block = (nint)RunAgainstHeldLock(() => ExInterlockedAllocateFromZone(_zone, _lock), () => Assert.Equal(head, _zone.FreeList));

        Assert.Equal(head, block);
    }

    [Fact]
    public void InterlockedFree_WaitsForTheLockAtDispatchLevel_ThenReturnsToTheCallersIrql()
    {
        nint block = ExAllocateFromZone(_zone);
        nint head = _zone.FreeList;

        nint previous = (nint)RunAgainstHeldLock(() => ExInterlockedFreeToZone(_zone, block, _lock), () => Assert.Equal(head, _zone.FreeList));

        Assert.Equal(head, previous);
        Assert.Equal(block, _zone.FreeList);
    }

    [Fact]
    public void InterlockedExtend_WaitsForTheLockAtDispatchLevel_ThenReturnsToTheCallersIrql()
    {
        var status = (NTSTATUS)RunAgainstHeldLock(() => ExInterlockedExtendZone(_zone, _memory + 1024, 144, _lock), () => Assert.Equal(144u, _zone.TotalSegmentSize));

        Assert.Equal(STATUS_SUCCESS, status);
        Assert.Equal(_memory + 1024, _zone.SegmentList);
    }

    /// <summary>Holds the lock while a worker thread at PASSIVE_LEVEL calls <paramref name="call"/>; returns its result.</summary>
    private object RunAgainstHeldLock(Func<object> call, Action assertUntouched)
    {
        KernelThread? worker = null;
        object? result = null;
        Exception? failure = null;
        KIRQL afterCall = HIGH_LEVEL;
        using var ready = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            worker = KernelThread.Current;
            ready.Set();
            try
            {
                result = call();
                afterCall = Ke.KeGetCurrentIrql();
            }
            catch (Exception error)
            {
                failure = error;
            }
        });

        Ke.KeAcquireSpinLock(_lock, out KIRQL old);
        try
        {
            thread.Start();
            ready.Wait();
            var clock = Stopwatch.StartNew();
            while (worker!.Irql != DISPATCH_LEVEL && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                Thread.Sleep(1);
            }

            Assert.Equal(DISPATCH_LEVEL, worker.Irql);
            Assert.True(thread.IsAlive, "the worker finished although the lock was held");
            Assert.True(_lock.IsOwnedByCurrentThread);
            assertUntouched();
        }
        finally
        {
            Ke.KeReleaseSpinLock(_lock, old);
        }

        Assert.True(thread.Join(TimeSpan.FromSeconds(10)), "the worker did not finish after the lock was released");
        Assert.Null(failure);
        Assert.Equal(PASSIVE_LEVEL, afterCall);
        Assert.False(_lock.IsHeld);
        return result!;
    }
}
