using System;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// A clock that stands still until a test advances it, so timer tests never sleep:
/// <code>
/// var clock = new ManualClock();
/// using var machine = new KernelSystem(new SystemConfiguration { Clock = clock });
/// using var scope = machine.Enter();
/// KeSetTimer(timer, -10_000_000, dpc);     // due in one second
/// clock.Advance(TimeSpan.FromSeconds(1));  // the timer expires and its DPC is queued
/// KeFlushQueuedDpcs();                     // the DPC has run
/// </code>
/// One clock may drive several machines; each attaches when created and detaches when disposed.
/// </summary>
public sealed class ManualClock : SystemClock
{
    /// <summary>Where <see cref="ManualClock()"/> starts: 2025-01-01 00:00:00 UTC as system time.</summary>
    public static readonly long DefaultStartTime = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc).ToFileTimeUtc();

    private readonly object _gate = new();
    private readonly long _start;
    private long _elapsed;
    private ClockInterrupt[] _attached = [];

    /// <summary>A clock standing at <see cref="DefaultStartTime"/>.</summary>
    public ManualClock()
        : this(DefaultStartTime)
    {
    }

    /// <summary>A clock standing at <paramref name="systemTime"/> (100-nanosecond units since 1601-01-01 UTC).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="systemTime"/> is negative.</exception>
    public ManualClock(long systemTime)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(systemTime);
        _start = systemTime;
    }

    /// <inheritdoc/>
    public override long SystemTime => _start + Volatile.Read(ref _elapsed);

    internal override long InterruptTime => Volatile.Read(ref _elapsed);

    internal override bool IsManual => true;

    /// <summary>
    /// Moves the clock forward by <paramref name="elapsed"/> and, before returning, expires every
    /// timer due by then on every machine this clock drives: each is signalled and its DPC queued
    /// (<c>KeFlushQueuedDpcs</c> then waits for those DPCs to run).
    /// </summary>
    /// <remarks>
    /// One call is one clock interrupt: a timer fires at most once per call, and a periodic timer
    /// is next due one period after the new time, as the kernel reinserts a periodic timer relative
    /// to the interrupt that expired it. To see every period, advance one period at a time.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="elapsed"/> is negative, or moves the clock past the largest system time.</exception>
    public void Advance(TimeSpan elapsed)
    {
        if (elapsed < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(elapsed), elapsed, "A clock only moves forward.");
        }

        lock (_gate)
        {
            long now = _elapsed + elapsed.Ticks;
            if (now < 0 || _start + now < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(elapsed), elapsed, "The clock would move past the largest system time.");
            }

            Volatile.Write(ref _elapsed, now);
            foreach (ClockInterrupt clock in _attached)
            {
                clock.Tick(now);
            }
        }
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        long now = SystemTime;
        return now <= DateTime.MaxValue.ToFileTimeUtc() ? $"ManualClock at {DateTime.FromFileTimeUtc(now):O}" : $"ManualClock at system time {now}";
    }

    internal override void Attach(ClockInterrupt clock)
    {
        lock (_gate)
        {
            _attached = [.. _attached, clock];
        }
    }

    internal override void Detach(ClockInterrupt clock)
    {
        lock (_gate)
        {
            _attached = Array.FindAll(_attached, attached => attached != clock);
        }
    }
}
