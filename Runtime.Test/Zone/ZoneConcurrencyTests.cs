using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;

namespace PoolAnalyzers.Runtime.Test.Zone;

public sealed unsafe class ZoneConcurrencyTests
{
    [Fact]
    public void InterlockedZone_SharedByTwoThreads_NeverHandsABlockOutTwice_AndLosesNone()
    {
        const int Blocks = 64;
        const int OperationsPerThread = 100_000;
        using var machine = new KernelSystem(new SystemConfiguration { LookasideScanPeriod = TimeSpan.Zero });
        using KernelSystem.Scope scope = machine.Enter();
        uint segmentSize = 16 + (Blocks * 32);
        nint segment = (nint)NativeMemory.AlignedAlloc(segmentSize * 2, 16);
        try
        {
            var zone = new ZONE_HEADER();
            var spinLock = new KSPIN_LOCK();
            Assert.Equal(NTSTATUS.STATUS_SUCCESS, ExInitializeZone(zone, 32, segment, segmentSize));
            var owners = new ConcurrentDictionary<nint, int>();
            var errors = new ConcurrentQueue<Exception>();

            void Work(int worker)
            {
                try
                {
                    var held = new Queue<nint>();
                    var random = new Random(worker);
                    for (int op = 0; op < OperationsPerThread; op++)
                    {
                        if (op == OperationsPerThread / 2 && worker == 0)
                        {
                            // Grow the zone while the other thread is busy with it.
                            Assert.Equal(NTSTATUS.STATUS_SUCCESS, ExInterlockedExtendZone(zone, segment + (nint)segmentSize, segmentSize, spinLock));
                        }

                        if (held.Count == 0 || (held.Count < 40 && random.Next(2) == 0))
                        {
                            nint block = ExInterlockedAllocateFromZone(zone, spinLock);
                            if (block != 0)
                            {
                                Assert.True(owners.TryAdd(block, worker), $"block 0x{block:X} handed out twice");
                                *(int*)(block + 8) = worker;
                                held.Enqueue(block);
                            }
                        }
                        else
                        {
                            nint block = held.Dequeue();
                            Assert.Equal(worker, *(int*)(block + 8));
                            Assert.True(owners.TryRemove(block, out _));
                            ExInterlockedFreeToZone(zone, block, spinLock);
                        }

                        Assert.Equal(KIRQL.PASSIVE_LEVEL, Ke.KeGetCurrentIrql());
                    }

                    while (held.Count > 0)
                    {
                        nint block = held.Dequeue();
                        Assert.True(owners.TryRemove(block, out _));
                        ExInterlockedFreeToZone(zone, block, spinLock);
                    }
                }
                catch (Exception error)
                {
                    errors.Enqueue(error);
                }
            }

            Thread[] threads = new[] { new Thread(() => Work(0)), new Thread(() => Work(1)) };
            foreach (Thread thread in threads)
            {
                thread.Start();
            }

            foreach (Thread thread in threads)
            {
                thread.Join();
            }

            Assert.Empty(errors);
            var seen = new HashSet<nint>();
            for (nint block = ExAllocateFromZone(zone); block != 0; block = ExAllocateFromZone(zone))
            {
                Assert.True(seen.Add(block), $"block 0x{block:X} is on the free list twice");
            }

            Assert.Equal(2 * Blocks, seen.Count);
            Assert.False(spinLock.IsHeld);
        }
        finally
        {
            NativeMemory.AlignedFree((void*)segment);
        }
    }
}
