using System;
using System.Collections.Generic;
using System.Threading;

namespace PoolAnalyzers.Runtime;

// The machine's lookaside registry and depth scanner (the kernel's ExAdjustLookasideDepth, run by
// the balance-set manager). Lists register on initialization and leave on deletion; a timer
// re-tunes them every SystemConfiguration.LookasideScanPeriod while at least one list exists.
public sealed partial class KernelSystem
{
    private readonly object _lookasideGate = new();
    private readonly object _lookasideScanGate = new();
    private readonly List<GENERAL_LOOKASIDE> _lookasideLists = [];
    private Timer? _lookasideScanner;
    private bool _lookasideScannerStopped;

    /// <summary>The lookaside lists initialized on this machine and not yet deleted.</summary>
    public int LookasideListCount
    {
        get
        {
            lock (_lookasideGate)
            {
                return _lookasideLists.Count;
            }
        }
    }

    /// <summary>True while the background depth scan is scheduled.</summary>
    public bool IsLookasideScanRunning
    {
        get
        {
            lock (_lookasideGate)
            {
                return _lookasideScanner is not null;
            }
        }
    }

    /// <summary>
    /// Runs one depth-tuning step over every registered lookaside list, as if
    /// <paramref name="elapsed"/> had passed since the previous step. The background scan calls this
    /// with the configured period; tests call it directly for deterministic results.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="elapsed"/> is zero or negative.</exception>
    public void AdjustLookasideDepths(TimeSpan elapsed)
    {
        if (elapsed <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(elapsed), elapsed, "The period since the previous lookaside scan must be positive.");
        }

        GENERAL_LOOKASIDE[] lists;
        lock (_lookasideGate)
        {
            lists = _lookasideLists.ToArray();
        }

        // One scan at a time: each step reads and resets the lists' Last* counters.
        lock (_lookasideScanGate)
        {
            foreach (GENERAL_LOOKASIDE list in lists)
            {
                list.AdjustDepth(elapsed.TotalSeconds);
            }
        }
    }

    /// <summary>The machine crashed: the scan stops and every list sends its callers to the crash (see GENERAL_LOOKASIDE.Halt).</summary>
    internal void HaltLookasideLists()
    {
        StopLookasideScanner();
        GENERAL_LOOKASIDE[] lists;
        lock (_lookasideGate)
        {
            lists = _lookasideLists.ToArray();
        }

        foreach (GENERAL_LOOKASIDE list in lists)
        {
            list.Halt();
        }
    }

    /// <summary>Stops the background depth scan for good (the machine is going away).</summary>
    internal void StopLookasideScanner()
    {
        lock (_lookasideGate)
        {
            _lookasideScannerStopped = true;
            _lookasideScanner?.Dispose();
            _lookasideScanner = null;
        }
    }

    internal void RegisterLookaside(GENERAL_LOOKASIDE list)
    {
        lock (_lookasideGate)
        {
            _lookasideLists.Add(list);
            TimeSpan period = Configuration.LookasideScanPeriod;
            if (_lookasideScanner is null && !_lookasideScannerStopped && period > TimeSpan.Zero)
            {
                // Timer periods stop at 2^32 − 2 ms (~49 days); anything longer is as good as never.
                period = TimeSpan.FromMilliseconds(Math.Min(period.TotalMilliseconds, uint.MaxValue - 1.0));

                // The timer holds the machine weakly: an abandoned machine can be collected, and
                // collecting the Timer with it cancels the schedule.
                _lookasideScanner = new Timer(ScanLookasideLists, new WeakReference<KernelSystem>(this), period, period);
            }
        }
    }

    internal void UnregisterLookaside(GENERAL_LOOKASIDE list)
    {
        lock (_lookasideGate)
        {
            _lookasideLists.Remove(list);
            if (_lookasideLists.Count == 0)
            {
                _lookasideScanner?.Dispose();
                _lookasideScanner = null;
            }
        }
    }

    private static void ScanLookasideLists(object? state)
    {
        if (state is WeakReference<KernelSystem> weak && weak.TryGetTarget(out KernelSystem? machine))
        {
            machine.AdjustLookasideDepths(machine.Configuration.LookasideScanPeriod);
        }
    }
}
