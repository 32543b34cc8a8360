using System;
using System.Diagnostics;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The units and the bug check of the DPC watchdog. The kernel counts the watchdog in clock ticks of
/// 15.625 ms (its allotment for one DPC is 1280 ticks, 20 seconds); the emulation measures real time
/// and reports ticks the same way.
/// </summary>
internal static class DpcWatchdog
{
    /// <summary>One clock tick: 15.625 ms (KeQueryTimeIncrement's 156,250 × 100 ns).</summary>
    public const long ClockTick100ns = 156_250;

    /// <summary><paramref name="duration"/> in whole clock ticks, rounded up.</summary>
    public static ulong ClockTicks(TimeSpan duration) => (ulong)((duration.Ticks + ClockTick100ns - 1) / ClockTick100ns);

    /// <summary><paramref name="duration"/> in <see cref="Stopwatch"/> timestamp units.</summary>
    public static long TimestampTicks(TimeSpan duration) => (long)(duration.Ticks * (Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond));

    /// <summary>A <see cref="Stopwatch"/> interval as a <see cref="TimeSpan"/>.</summary>
    public static TimeSpan Elapsed(long fromTimestamp, long toTimestamp) => Stopwatch.GetElapsedTime(fromTimestamp, toTimestamp);

    /// <summary>How often the clock interrupt looks at running DPCs: an eighth of the allotment, between 1 ms and 1 s.</summary>
    public static TimeSpan PollInterval(TimeSpan allotment)
        => TimeSpan.FromTicks(Math.Clamp(allotment.Ticks / 8, TimeSpan.TicksPerMillisecond, TimeSpan.TicksPerSecond));

    /// <summary>DPC_WATCHDOG_VIOLATION for one routine: P1 0, P2 the time it has run, P3 the allotment (both in clock ticks).</summary>
    public static BugCheckException SingleDpc(DpcProcessor processor, TimeSpan ran, TimeSpan allotment)
        => BugCheck.Raise(BugCheckNames.DPC_WATCHDOG_VIOLATION, 0, ClockTicks(ran), ClockTicks(allotment), 0,
            $"a DPC routine on processor {processor.Number} has run for {ran.TotalMilliseconds:0} ms, past its allotment of {allotment.TotalMilliseconds:0.###} ms (SystemConfiguration.DpcWatchdogTimeout)");
}
