using System;
using System.Runtime.CompilerServices;
using static PoolAnalyzers.Runtime.KIRQL;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The kernel core routines: IRQL, spin locks, DPCs, timers and processor queries. The IRQL is per
/// processor in the kernel and per thread here, so concurrent tests on different threads never see
/// each other's level.
/// </summary>
/// <remarks>
/// Every routine first checks that the machine it works on has not crashed (a bug check inside a
/// DPC routine, see <see cref="KernelSystem.Crash"/>) and throws the crash if it has.
/// </remarks>
public static partial class Ke
{
    /// <summary>The calling thread's current IRQL.</summary>
    /// <remarks>Callable at any IRQL.</remarks>
    [IrqlRequiresMax(HIGH_LEVEL)]
    public static KIRQL KeGetCurrentIrql()
    {
        KernelThread thread = KernelThread.Current;
        KernelSystem.ThrowIfCrashed(thread);
        return thread.Irql;
    }

    /// <summary>Raises the IRQL to <paramref name="NewIrql"/> and returns the previous level.</summary>
    /// <exception cref="BugCheckException">IRQL_NOT_GREATER_OR_EQUAL (0x09; P1 the current IRQL, P2 <paramref name="NewIrql"/>) when <paramref name="NewIrql"/> is below the current IRQL.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="NewIrql"/> is above HIGH_LEVEL.</exception>
    [IrqlRequiresMax(HIGH_LEVEL)]
    public static void KeRaiseIrql(KIRQL NewIrql, [IrqlSaves] out KIRQL OldIrql)
    {
        KernelThread thread = KernelThread.Current;
        KernelSystem.ThrowIfCrashed(thread);
        KIRQL current = thread.Irql;
        if (NewIrql < current)
        {
            throw BugCheck.Raise(BugCheckNames.IRQL_NOT_GREATER_OR_EQUAL, (ulong)current, (ulong)NewIrql, 0, 0,
                $"KeRaiseIrql to {Describe(NewIrql)} from the higher {Describe(current)}");
        }

        CheckValid(NewIrql, nameof(KeRaiseIrql));
        OldIrql = current;
        thread.RaiseTo(NewIrql);
    }

    /// <summary>Lowers the IRQL to <paramref name="NewIrql"/>, usually the value <see cref="KeRaiseIrql"/> saved.</summary>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A; P1 the current IRQL, P2 <paramref name="NewIrql"/>) when <paramref name="NewIrql"/> is above the current IRQL.</exception>
    [IrqlRequiresMax(HIGH_LEVEL)]
    public static void KeLowerIrql([IrqlRestores] KIRQL NewIrql)
    {
        KernelThread thread = KernelThread.Current;
        KernelSystem.ThrowIfCrashed(thread);
        CheckLower(thread.Irql, NewIrql, nameof(KeLowerIrql));
        thread.Irql = NewIrql;
    }

    /// <summary>Raises the IRQL to DISPATCH_LEVEL and returns the previous level.</summary>
    /// <exception cref="BugCheckException">IRQL_NOT_GREATER_OR_EQUAL (0x09; P1 the current IRQL, P2 DISPATCH_LEVEL) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    [IrqlRaises(DISPATCH_LEVEL)]
    [return: IrqlSaves]
    public static KIRQL KeRaiseIrqlToDpcLevel()
    {
        KeRaiseIrql(DISPATCH_LEVEL, out KIRQL old);
        return old;
    }

    /// <summary>Initializes (releases) a spin lock.</summary>
    /// <remarks>Callable at any IRQL (the lock is caller storage, usually nonpaged).</remarks>
    [IrqlRequiresMax(HIGH_LEVEL)]
    public static void KeInitializeSpinLock(KSPIN_LOCK SpinLock)
    {
        ArgumentNullException.ThrowIfNull(SpinLock);
        KernelSystem.ThrowIfCrashed(KernelThread.Current);
        SpinLock.Reset();
    }

    /// <summary>Raises to DISPATCH_LEVEL, acquires the lock and returns the previous IRQL.</summary>
    /// <exception cref="BugCheckException">IRQL_NOT_GREATER_OR_EQUAL (0x09; P1 the current IRQL, P2 DISPATCH_LEVEL) above DISPATCH_LEVEL; SPIN_LOCK_ALREADY_OWNED (0x0F) on recursive acquisition (P1 0) or when the lock is held or awaited through the in-stack queue (P1 1); DPC_WATCHDOG_VIOLATION (0x133, P1 1) when the wait outlasts the DPC watchdog. Either way the IRQL is left as it was.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    [IrqlRaises(DISPATCH_LEVEL)]
    public static void KeAcquireSpinLock(KSPIN_LOCK SpinLock, [IrqlSaves] out KIRQL OldIrql)
    {
        ArgumentNullException.ThrowIfNull(SpinLock);
        KernelThread thread = KernelThread.Current;
        KernelSystem.ThrowIfCrashed(thread);
        KIRQL old = thread.Irql;
        if (old > DISPATCH_LEVEL)
        {
            throw BugCheck.Raise(BugCheckNames.IRQL_NOT_GREATER_OR_EQUAL, (ulong)old, (ulong)DISPATCH_LEVEL, 0, 0,
                $"KeAcquireSpinLock called at {Describe(old)}; it raises to DISPATCH_LEVEL (2) and must not be called above it");
        }

        OldIrql = SpinLock.AcquireRaising(thread);
    }

    /// <summary>Releases the lock and lowers the IRQL to <paramref name="NewIrql"/>, the value <see cref="KeAcquireSpinLock"/> saved.</summary>
    /// <remarks>
    /// Every check runs before the lock is released, so a failed call leaves the lock held and the
    /// IRQL unchanged. Driver Verifier's DDI compliance checking reports a release away from
    /// DISPATCH_LEVEL as 0xC4/0x00020015 (IrqlKeReleaseSpinLock); this runtime checks it always, with
    /// the IRQL bug checks its other Ke routines use.
    /// </remarks>
    /// <exception cref="BugCheckException">
    /// IRQL_NOT_GREATER_OR_EQUAL (0x09) below DISPATCH_LEVEL, IRQL_NOT_LESS_OR_EQUAL (0x0A) above it
    /// (P1 the current IRQL, P2 DISPATCH_LEVEL); IRQL_NOT_LESS_OR_EQUAL (0x0A; P1 the current IRQL,
    /// P2 <paramref name="NewIrql"/>) when <paramref name="NewIrql"/> is above DISPATCH_LEVEL;
    /// SPIN_LOCK_NOT_OWNED (0x10) when the calling thread does not hold the lock.
    /// </exception>
    [IrqlRequires(DISPATCH_LEVEL)]
    public static void KeReleaseSpinLock(KSPIN_LOCK SpinLock, [IrqlRestores] KIRQL NewIrql)
    {
        ArgumentNullException.ThrowIfNull(SpinLock);
        KernelThread thread = KernelThread.Current;
        KernelSystem.ThrowIfCrashed(thread);
        KIRQL current = thread.Irql;
        if (current != DISPATCH_LEVEL)
        {
            uint code = current < DISPATCH_LEVEL ? BugCheckNames.IRQL_NOT_GREATER_OR_EQUAL : BugCheckNames.IRQL_NOT_LESS_OR_EQUAL;
            throw BugCheck.Raise(code, (ulong)current, (ulong)DISPATCH_LEVEL, 0, 0,
                $"KeReleaseSpinLock called at {Describe(current)}; it requires DISPATCH_LEVEL (2), the level KeAcquireSpinLock raised to");
        }

        CheckLower(current, NewIrql, nameof(KeReleaseSpinLock));
        SpinLock.Release(thread);
        thread.Irql = NewIrql;
    }

    /// <summary>Acquires the lock when the caller already runs at DISPATCH_LEVEL or above.</summary>
    /// <exception cref="BugCheckException">IRQL_NOT_GREATER_OR_EQUAL (0x09; P1 the current IRQL, P2 DISPATCH_LEVEL) below DISPATCH_LEVEL; SPIN_LOCK_ALREADY_OWNED (0x0F) on recursive acquisition.</exception>
    [IrqlRequiresMin(DISPATCH_LEVEL)]
    public static void KeAcquireSpinLockAtDpcLevel(KSPIN_LOCK SpinLock)
    {
        ArgumentNullException.ThrowIfNull(SpinLock);
        KernelThread thread = RequireDispatchOrAbove(nameof(KeAcquireSpinLockAtDpcLevel));
        SpinLock.Acquire(thread);
    }

    /// <summary>Releases a lock taken with <see cref="KeAcquireSpinLockAtDpcLevel"/>; the IRQL is unchanged.</summary>
    /// <exception cref="BugCheckException">IRQL_NOT_GREATER_OR_EQUAL (0x09; P1 the current IRQL, P2 DISPATCH_LEVEL) below DISPATCH_LEVEL, with the lock still held; SPIN_LOCK_NOT_OWNED (0x10) when the calling thread does not hold the lock.</exception>
    [IrqlRequiresMin(DISPATCH_LEVEL)]
    public static void KeReleaseSpinLockFromDpcLevel(KSPIN_LOCK SpinLock)
    {
        ArgumentNullException.ThrowIfNull(SpinLock);
        KernelThread thread = RequireDispatchOrAbove(nameof(KeReleaseSpinLockFromDpcLevel));
        SpinLock.Release(thread);
    }

    /// <summary>Stops the "system" with a bug check: throws <see cref="BugCheckException"/>.</summary>
    [IrqlRequiresMax(HIGH_LEVEL)]
    public static void KeBugCheckEx(uint BugCheckCode, ulong BugCheckParameter1, ulong BugCheckParameter2, ulong BugCheckParameter3, ulong BugCheckParameter4)
    {
        KernelSystem.ThrowIfCrashed(KernelThread.Current);
        throw BugCheck.Raise(BugCheckCode, BugCheckParameter1, BugCheckParameter2, BugCheckParameter3, BugCheckParameter4, "raised by KeBugCheckEx");
    }

    /// <summary>The calling thread's IRQL, for the runtime's own checks.</summary>
    internal static KIRQL Current => KernelThread.Current.Irql;

    internal static string Describe(KIRQL irql) => irql switch
    {
        PASSIVE_LEVEL => "PASSIVE_LEVEL (0)",
        APC_LEVEL => "APC_LEVEL (1)",
        DISPATCH_LEVEL => "DISPATCH_LEVEL (2)",
        _ => Enum.IsDefined(irql) ? $"{irql} ({(byte)irql})" : $"IRQL {(byte)irql}",
    };

    /// <summary>The calling thread, after the crash check and the check that it runs at DISPATCH_LEVEL or above.</summary>
    private static KernelThread RequireDispatchOrAbove(string routine)
    {
        KernelThread thread = KernelThread.Current;
        KernelSystem.ThrowIfCrashed(thread);
        KIRQL current = thread.Irql;
        if (current < DISPATCH_LEVEL)
        {
            throw BugCheck.Raise(BugCheckNames.IRQL_NOT_GREATER_OR_EQUAL, (ulong)current, (ulong)DISPATCH_LEVEL, 0, 0,
                $"{routine} called at {Describe(current)}; it requires DISPATCH_LEVEL or above");
        }

        return thread;
    }

    private static void CheckLower(KIRQL current, KIRQL newIrql, string routine)
    {
        if (newIrql > current)
        {
            throw LowerAbove(current, newIrql, routine);
        }
    }

    /// <summary>IRQL_NOT_LESS_OR_EQUAL (0x0A; P1 the current IRQL, P2 the new one) for "lowering" to a higher IRQL.</summary>
    private static BugCheckException LowerAbove(KIRQL current, KIRQL newIrql, string routine)
        => BugCheck.Raise(BugCheckNames.IRQL_NOT_LESS_OR_EQUAL, (ulong)current, (ulong)newIrql, 0, 0,
            $"{routine} to {Describe(newIrql)} from the lower {Describe(current)}");

    private static void CheckValid(KIRQL irql, string routine)
    {
        if (irql > HIGH_LEVEL)
        {
            throw new ArgumentOutOfRangeException(nameof(irql), irql, $"{routine}: IRQL {(byte)irql} is above HIGH_LEVEL (15).");
        }
    }
}
