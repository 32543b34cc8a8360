using System;
using System.Threading;

namespace PoolAnalyzers.Runtime.Benchmarks;

/// <summary>
/// Runs a loop on two threads at once: the calling (benchmark) thread and one dedicated partner
/// created at the caller's priority. <c>Parallel.Invoke</c> would give the second loop to a pool
/// thread at normal priority while BenchmarkDotNet raises its own thread's priority: a first-come-
/// first-served lock handed to the lower-priority thread then waits for it to be scheduled, which
/// measures the priority gap rather than the lock. No third thread runs meanwhile either, so the
/// two contenders have the machine's two cores to themselves as far as this process goes.
/// </summary>
internal sealed class TwoWorkerThreads : IDisposable
{
    private readonly ManualResetEventSlim _start = new();
    private readonly ManualResetEventSlim _done = new();
    private readonly Thread _partner;
    private Action? _loop;
    private bool _stopping;

    public TwoWorkerThreads()
    {
        _partner = new Thread(Work) { IsBackground = true, Priority = Thread.CurrentThread.Priority, Name = "Benchmark partner" };
        _partner.Start();
    }

    /// <summary>Runs <paramref name="loop"/> on the calling thread and on the partner at once; returns when both are done.</summary>
    public void Run(Action loop)
    {
        _loop = loop;
        _done.Reset();
        _start.Set();
        loop();
        _done.Wait();
    }

    public void Dispose()
    {
        _stopping = true;
        _start.Set();
        _partner.Join();
    }

    private void Work()
    {
        while (true)
        {
            _start.Wait();
            _start.Reset();
            if (_stopping)
            {
                return;
            }

            _loop!();
            _done.Set();
        }
    }
}
