using System;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime;

// Timers on the machine's clock (SystemConfiguration.Clock). A timer belongs to the machine that was
// current when KeInitializeTimer ran. Due times are in 100-nanosecond units: negative is relative to
// now, zero or positive is an absolute system time (since 1601-01-01 UTC), so 0 or any time already
// past expires the timer at once, inside the call that sets it.
public static partial class Ke
{
    /// <summary>Initializes <paramref name="Timer"/> as a notification timer of the current machine: not set, not signalled.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="Timer"/> is null.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL; TIMER_OR_DPC_INVALID (0xC7, P1 0) when the timer is still set.</exception>
    /// <exception cref="ObjectDisposedException">The current machine is disposed.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static void KeInitializeTimer(KTIMER Timer)
    {
        ArgumentNullException.ThrowIfNull(Timer);
        RoutineIrql.RequireMax(DISPATCH_LEVEL, nameof(KeInitializeTimer));
        KernelSystem machine = KernelSystem.Current;
        machine.ThrowIfUnusable(nameof(KeInitializeTimer));
        machine.ClockInterrupt.Initialize(Timer);
    }

    /// <summary>
    /// Sets <paramref name="Timer"/> to expire at <paramref name="DueTime"/>; at expiry it is signalled
    /// and <paramref name="Dpc"/>, if given, is queued. A timer already set is reset.
    /// </summary>
    /// <returns>TRUE when the timer was already set (pending in the timer queue).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="Timer"/> is null.</exception>
    /// <exception cref="ArgumentException">The timer or the DPC was never initialized, or the DPC belongs to another machine.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    /// <exception cref="ObjectDisposedException">The timer's machine is disposed.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static bool KeSetTimer(KTIMER Timer, long DueTime, KDPC? Dpc)
        => SetTimer(Timer, DueTime, 0, Dpc, nameof(KeSetTimer));

    /// <summary>
    /// <see cref="KeSetTimer"/> with a <paramref name="Period"/>: after the first expiry the timer
    /// expires again every <paramref name="Period"/> milliseconds until it is cancelled or set again.
    /// </summary>
    /// <returns>TRUE when the timer was already set (pending in the timer queue).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="Timer"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="Period"/> is negative.</exception>
    /// <exception cref="ArgumentException">The timer or the DPC was never initialized, or the DPC belongs to another machine.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    /// <exception cref="ObjectDisposedException">The timer's machine is disposed.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static bool KeSetTimerEx(KTIMER Timer, long DueTime, int Period, KDPC? Dpc)
        => SetTimer(Timer, DueTime, Period, Dpc, nameof(KeSetTimerEx));

    /// <summary>Takes <paramref name="Timer"/> out of the timer queue. Its signal state is unchanged, and a DPC it already queued stays queued.</summary>
    /// <returns>TRUE when the timer was set; FALSE when it was not (never set, cancelled, or a one-shot timer that already expired).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="Timer"/> is null.</exception>
    /// <exception cref="ArgumentException">The timer was never initialized.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    /// <exception cref="ObjectDisposedException">The timer's machine is disposed.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static bool KeCancelTimer(KTIMER Timer)
    {
        ArgumentNullException.ThrowIfNull(Timer);
        RoutineIrql.RequireMax(DISPATCH_LEVEL, nameof(KeCancelTimer));
        ClockInterrupt clock = Timer.ClockFor(nameof(KeCancelTimer));
        clock.Machine.ThrowIfUnusable(nameof(KeCancelTimer));
        return clock.Cancel(Timer);
    }

    /// <summary>TRUE when <paramref name="Timer"/> is signalled: it expired since it was last set.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="Timer"/> is null.</exception>
    /// <exception cref="ArgumentException">The timer was never initialized.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static bool KeReadStateTimer(KTIMER Timer)
    {
        ArgumentNullException.ThrowIfNull(Timer);
        RoutineIrql.RequireMax(DISPATCH_LEVEL, nameof(KeReadStateTimer));
        KernelSystem.ThrowIfCrashed(Timer.ClockFor(nameof(KeReadStateTimer)).Machine);
        return Timer.Signaled;
    }

    private static bool SetTimer(KTIMER timer, long dueTime, int period, KDPC? dpc, string routine)
    {
        ArgumentNullException.ThrowIfNull(timer, "Timer");
        KernelThread thread = RoutineIrql.RequireMax(KernelThread.Current, DISPATCH_LEVEL, routine);
        if (period < 0)
        {
            throw new ArgumentOutOfRangeException("Period", period, $"{routine}: Period is in milliseconds and cannot be negative; 0 makes a one-shot timer.");
        }

        ClockInterrupt clock = timer.ClockFor(routine);
        KernelSystem machine = clock.Machine;
        machine.ThrowIfUnusable(routine);
        if (dpc is not null && dpc.MachineFor(routine) != machine)
        {
            throw new ArgumentException($"{routine}: the KDPC was initialized on another KernelSystem than the KTIMER; a timer queues DPCs of its own machine.", "Dpc");
        }

        return clock.Set(timer, dueTime, period, dpc, thread.ProcessorNumberOn(machine));
    }
}
