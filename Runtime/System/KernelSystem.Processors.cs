using System;
using System.Threading;

namespace PoolAnalyzers.Runtime;

// The processors (DPC queues and their threads) and the clock interrupt (timers, DPC watchdog).
// Both cost nothing until used: processors are created with the first DPC queued, threads with
// the first DPC queued on their processor, the clock thread with the first timer or DPC thread.
public sealed partial class KernelSystem
{
    private readonly object _processorsGate = new();
    private EmulatedProcessors? _processors;
    private bool _processorsStopped;

    /// <summary>The number of emulated processors, from the configuration.</summary>
    internal int ProcessorCount { get; }

    /// <summary>The machine's clock interrupt: its timers and the DPC watchdog.</summary>
    internal ClockInterrupt ClockInterrupt { get; }

    /// <summary>The processors, created on first use.</summary>
    /// <exception cref="ObjectDisposedException">The machine is disposed.</exception>
    internal EmulatedProcessors Processors => Volatile.Read(ref _processors) ?? CreateProcessors();

    /// <summary>The processors if any DPC was ever queued, else null.</summary>
    internal EmulatedProcessors? ProcessorsIfStarted => Volatile.Read(ref _processors);

    private EmulatedProcessors CreateProcessors()
    {
        lock (_processorsGate)
        {
            if (_processorsStopped)
            {
                throw UnusableException(nameof(Ke.KeInsertQueueDpc));
            }

            return _processors ??= new EmulatedProcessors(this);
        }
    }

    /// <summary>Dispose: no processors are created from now on; returns those that exist.</summary>
    private EmulatedProcessors? StopCreatingProcessors()
    {
        lock (_processorsGate)
        {
            _processorsStopped = true;
            return _processors;
        }
    }

    private static int ValidProcessorCount(int count)
        => count is >= 1 and <= SystemConfiguration.MaximumProcessorCount
            ? count
            : throw new ArgumentException(
                $"SystemConfiguration.ProcessorCount is {count}; a machine has 1 to {SystemConfiguration.MaximumProcessorCount} processors (one KAFFINITY bit each).",
                "configuration");

    private static void ValidateWatchdog(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero || timeout > SystemConfiguration.MaximumDpcWatchdogTimeout)
        {
            throw new ArgumentException(
                $"SystemConfiguration.DpcWatchdogTimeout is {timeout}; it must be positive and at most {SystemConfiguration.MaximumDpcWatchdogTimeout} (the watchdog cannot be turned off: it is what keeps a stuck DPC from hanging the machine's Dispose).",
                "configuration");
        }
    }
}
