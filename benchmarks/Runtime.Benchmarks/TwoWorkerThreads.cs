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
/// <remarks>
/// Given a machine, the partner enters it for its whole life, so both loops run on the machine the
/// benchmark thread entered in its setup. Without that the partner's calls would go to whatever
/// machine its thread happens to see (for a thread created outside any scope: <see cref="KernelSystem.Default"/>),
/// and a two-thread row would time two machines instead of two threads on one.
/// </remarks>
internal sealed class TwoWorkerThreads : IDisposable
{
    private readonly ManualResetEventSlim _start = new();
    private readonly ManualResetEventSlim _done = new();
    private readonly Thread _partner;
    private readonly KernelSystem? _machine;
    private Action? _loop;
    private bool _stopping;

    /// <param name="machine">The machine the partner enters for its life; null leaves it on whatever machine its thread sees.</param>
    public TwoWorkerThreads(KernelSystem? machine = null)
    {
        _machine = machine;
        _partner = new Thread(Work) { IsBackground = true, Priority = Thread.CurrentThread.Priority, Name = "Benchmark partner" };
        _partner.Start();
    }

    /// <summary>
    /// Throws unless both threads see <paramref name="machine"/> as <see cref="KernelSystem.Current"/>:
    /// a setup check that the two-thread rows time the machine the one-thread rows time.
    /// </summary>
    public void AssertBothOn(KernelSystem machine)
    {
        int elsewhere = 0;
        Run(() =>
        {
            if (!ReferenceEquals(KernelSystem.Current, machine))
            {
                Interlocked.Increment(ref elsewhere);
            }
        });
        if (elsewhere != 0)
        {
            throw new InvalidOperationException($"{elsewhere} of the two benchmark threads is not on the benchmark's machine.");
        }
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
        using KernelSystem.Scope scope = _machine?.Enter() ?? default;
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
