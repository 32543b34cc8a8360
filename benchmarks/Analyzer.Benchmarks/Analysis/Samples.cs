using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading.Tasks;

namespace PoolAnalyzers.Analyzer.Benchmarks.Analysis;

/// <summary>Wall-clock and whole-process CPU time, and the collector's pauses, of repeated runs of one case.</summary>
internal sealed class Samples
{
    public List<double> Wall { get; } = [];

    public List<double> Cpu { get; } = [];

    /// <summary>Time the collector held the process's threads still during each run.</summary>
    public List<double> GcPause { get; } = [];

    public void Clear()
    {
        Wall.Clear();
        Cpu.Clear();
        GcPause.Clear();
    }

    public async Task MeasureAsync<T>(Func<Task<T>> action)
    {
        // Collect first so one case does not pay for garbage the previous one left behind.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        TimeSpan pausedBefore = GC.GetTotalPauseDuration();
        long start = Stopwatch.GetTimestamp();
        await action().ConfigureAwait(false);
        Wall.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        Cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
        GcPause.Add((GC.GetTotalPauseDuration() - pausedBefore).TotalMilliseconds);
    }

    public static double Median(List<double> values)
    {
        values.Sort();
        int middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
