using System;
using System.Diagnostics;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The clock a machine's timers run on (<see cref="SystemConfiguration.Clock"/>): <see cref="Real"/>,
/// or a <see cref="ManualClock"/> a test moves on. It keeps the kernel's two times in 100-nanosecond
/// units: system time (since 1601-01-01 UTC, the FILETIME epoch), which absolute due times are
/// compared with, and interrupt time (monotonic), on which relative due times are counted.
/// </summary>
public abstract class SystemClock
{
    private protected SystemClock()
    {
    }

    /// <summary>The host's clocks: <see cref="DateTime.UtcNow"/> for system time, <see cref="Stopwatch"/> for interrupt time.</summary>
    public static SystemClock Real { get; } = new RealClock();

    /// <summary>The current system time: 100-nanosecond intervals since 1601-01-01 UTC, as <c>KeQuerySystemTime</c> returns it.</summary>
    public abstract long SystemTime { get; }

    /// <summary>Monotonic time in 100-nanosecond units; relative due times are counted on it.</summary>
    internal abstract long InterruptTime { get; }

    /// <summary>True when timers expire only as a test advances the clock, never on a thread of the machine.</summary>
    internal virtual bool IsManual => false;

    /// <summary>Starts delivering expirations to <paramref name="clock"/> (a manual clock does so as it advances).</summary>
    internal virtual void Attach(ClockInterrupt clock)
    {
    }

    /// <summary>Stops delivering expirations to <paramref name="clock"/>.</summary>
    internal virtual void Detach(ClockInterrupt clock)
    {
    }

    private sealed class RealClock : SystemClock
    {
        public override long SystemTime => DateTime.UtcNow.ToFileTimeUtc();

        internal override long InterruptTime => Stopwatch.GetElapsedTime(0, Stopwatch.GetTimestamp()).Ticks;

        public override string ToString() => "SystemClock.Real";
    }
}
