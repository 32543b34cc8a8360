using System;
using System.Threading;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// A kernel timer (a notification timer). Caller-allocated, initialized with <c>KeInitializeTimer</c>
/// (which ties it to the current <see cref="KernelSystem"/>), set with <c>KeSetTimer</c> or
/// <c>KeSetTimerEx</c>. At expiry it becomes signalled and queues its DPC, if it has one.
/// </summary>
public sealed class KTIMER
{
    // Everything below is guarded by the lock of the owning machine's clock interrupt.

    /// <summary>The clock interrupt of the machine the timer was initialized on; null before <c>KeInitializeTimer</c>.</summary>
    internal ClockInterrupt? Clock;

    /// <summary>Position in the clock's timer heap; -1 while the timer is not set.</summary>
    internal int HeapIndex = -1;

    /// <summary>Interrupt time at which the timer expires, while set.</summary>
    internal long DueTime;

    /// <summary>Breaks ties between timers due at the same time: the one set first expires first.</summary>
    internal long SetOrder;

    /// <summary>Milliseconds between expiries; 0 for a one-shot timer.</summary>
    internal int Period;

    internal KDPC? Dpc;

    /// <summary>The processor of the thread that set the timer: its DPC runs there unless the DPC names a target.</summary>
    internal int Processor;

    // Read without the lock by KeReadStateTimer.
    private bool _signaled;

    internal bool Signaled
    {
        get => Volatile.Read(ref _signaled);
        set => Volatile.Write(ref _signaled, value);
    }

    /// <summary>The clock interrupt the timer belongs to.</summary>
    /// <exception cref="ArgumentException">The timer was never initialized.</exception>
    internal ClockInterrupt ClockFor(string routine)
        => Clock ?? throw new ArgumentException($"{routine}: the KTIMER was never initialized; call KeInitializeTimer first.", "Timer");
}
