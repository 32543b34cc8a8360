using System;
using System.Buffers;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.ObjectPool;
using static PoolAnalyzers.Runtime.Ex;

namespace PoolAnalyzers.Runtime.Benchmarks;

/// <summary>
/// One allocate + free pair of a 64-byte block: lookaside lists and zones against the .NET pools
/// a C# developer would otherwise reach for. The steady state is measured: every pair is a hit.
/// </summary>
[MemoryDiagnoser]
public class LookasideBenchmarks
{
    private const int BlockSize = 64;

    private LookasidePairs _pairs = null!;

    [GlobalSetup]
    public void Setup() => _pairs = new LookasidePairs();

    [GlobalCleanup]
    public void Cleanup() => _pairs.Dispose();

    [Benchmark(Baseline = true, Description = "ArrayPool<byte>.Shared Rent+Return")]
    public void ArrayPoolPair() => _pairs.ArrayPoolPair();

    [Benchmark(Description = "DefaultObjectPool Get+Return")]
    public void ObjectPoolPair() => _pairs.ObjectPoolPair();

    [Benchmark(Description = "NPAGED lookaside Allocate+Free")]
    public void NonPagedLookasidePair() => _pairs.NonPagedLookasidePair();

    [Benchmark(Description = "PAGED lookaside Allocate+Free")]
    public void PagedLookasidePair() => _pairs.PagedLookasidePair();

    [Benchmark(Description = "Zone Allocate+Free")]
    public void ZonePair() => _pairs.ZonePair();

    [Benchmark(Description = "Interlocked zone Allocate+Free")]
    public void InterlockedZonePair() => _pairs.InterlockedZonePair();

    [Benchmark(Description = "NativeMemory Alloc+Free")]
    public unsafe void NativeMemoryPair() => NativeMemory.Free(NativeMemory.Alloc(BlockSize));

    /// <summary>The structures under test, shared by the single- and two-thread benchmarks.</summary>
    internal sealed unsafe class LookasidePairs : IDisposable
    {
        private readonly KernelSystem _machine = new(new SystemConfiguration { LookasideScanPeriod = TimeSpan.Zero });
        private readonly NPAGED_LOOKASIDE_LIST _nonPaged = new();
        private readonly PAGED_LOOKASIDE_LIST _paged = new();
        private readonly ZONE_HEADER _zone = new();
        private readonly ZONE_HEADER _sharedZone = new();
        private readonly KSPIN_LOCK _lock = new();
        private readonly nint _segments;
        private readonly DefaultObjectPool<byte[]> _objectPool = new(new BlockPolicy());

        /// <summary>The machine the lists and zones were initialized on.</summary>
        public KernelSystem Machine => _machine;

        public LookasidePairs()
        {
            using KernelSystem.Scope scope = _machine.Enter();
            ExInitializeNPagedLookasideList(_nonPaged, null, null, (uint)POOL_TYPE.POOL_NX_ALLOCATION, BlockSize, "Bnch", 0);
            ExInitializePagedLookasideList(_paged, null, null, 0, BlockSize, "Bnch", 0);
            const uint segmentSize = 16 + (16 * BlockSize);
            _segments = (nint)NativeMemory.AlignedAlloc(2 * segmentSize, 16);
            Check(ExInitializeZone(_zone, BlockSize, _segments, segmentSize));
            Check(ExInitializeZone(_sharedZone, BlockSize, _segments + (nint)segmentSize, segmentSize));
        }

        public void ArrayPoolPair() => ArrayPool<byte>.Shared.Return(ArrayPool<byte>.Shared.Rent(BlockSize));

        public void ObjectPoolPair() => _objectPool.Return(_objectPool.Get());

        public void NonPagedLookasidePair() => ExFreeToNPagedLookasideList(_nonPaged, ExAllocateFromNPagedLookasideList(_nonPaged));

        public void PagedLookasidePair() => ExFreeToPagedLookasideList(_paged, ExAllocateFromPagedLookasideList(_paged));

        public void ZonePair() => ExFreeToZone(_zone, ExAllocateFromZone(_zone));

        public void InterlockedZonePair() => ExInterlockedFreeToZone(_sharedZone, ExInterlockedAllocateFromZone(_sharedZone, _lock), _lock);

        public void Dispose()
        {
            ExDeleteNPagedLookasideList(_nonPaged);
            ExDeletePagedLookasideList(_paged);
            NativeMemory.AlignedFree((void*)_segments);
            _machine.Dispose();
        }

        private static void Check(NTSTATUS status)
        {
            if (!Nt.NT_SUCCESS(status))
            {
                throw new InvalidOperationException($"ExInitializeZone failed with {status}.");
            }
        }

        private sealed class BlockPolicy : PooledObjectPolicy<byte[]>
        {
            public override byte[] Create() => new byte[BlockSize];

            public override bool Return(byte[] obj) => true;
        }
    }
}

/// <summary>
/// The same pairs on two threads at once against one shared list, zone or pool: the benchmark thread
/// and a <see cref="TwoWorkerThreads"/> partner, both on the machine the lists were initialized on.
/// Times are per pair per thread (wall clock), so perfect scaling reads the same as the
/// single-thread benchmark.
/// </summary>
public class LookasideTwoThreadBenchmarks
{
    private const int PairsPerThread = 200_000;

    private LookasideBenchmarks.LookasidePairs _pairs = null!;
    private KernelSystem.Scope _scope;
    private TwoWorkerThreads _workers = null!;

    [GlobalSetup]
    public void Setup()
    {
        _pairs = new LookasideBenchmarks.LookasidePairs();
        _scope = _pairs.Machine.Enter();

        // Created on BenchmarkDotNet's thread after entering the machine: the partner takes this
        // thread's priority and enters the same machine (see TwoWorkerThreads).
        _workers = new TwoWorkerThreads(_pairs.Machine);
        _workers.AssertBothOn(_pairs.Machine);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _workers.Dispose();
        _scope.Dispose();
        _pairs.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = PairsPerThread, Description = "ArrayPool<byte>.Shared x2 threads")]
    public void ArrayPoolPair() => _workers.Run(ArrayPoolLoop);

    [Benchmark(OperationsPerInvoke = PairsPerThread, Description = "DefaultObjectPool x2 threads")]
    public void ObjectPoolPair() => _workers.Run(ObjectPoolLoop);

    [Benchmark(OperationsPerInvoke = PairsPerThread, Description = "NPAGED lookaside x2 threads")]
    public void NonPagedLookasidePair() => _workers.Run(NonPagedLookasideLoop);

    [Benchmark(OperationsPerInvoke = PairsPerThread, Description = "Interlocked zone x2 threads")]
    public void InterlockedZonePair() => _workers.Run(InterlockedZoneLoop);

    // One loop per row with the pair called directly (no delegate per pair), the same for the
    // anchors and the runtime's rows.
    private void ArrayPoolLoop()
    {
        for (int i = 0; i < PairsPerThread; i++)
        {
            _pairs.ArrayPoolPair();
        }
    }

    private void ObjectPoolLoop()
    {
        for (int i = 0; i < PairsPerThread; i++)
        {
            _pairs.ObjectPoolPair();
        }
    }

    private void NonPagedLookasideLoop()
    {
        for (int i = 0; i < PairsPerThread; i++)
        {
            _pairs.NonPagedLookasidePair();
        }
    }

    private void InterlockedZoneLoop()
    {
        for (int i = 0; i < PairsPerThread; i++)
        {
            _pairs.InterlockedZonePair();
        }
    }
}
