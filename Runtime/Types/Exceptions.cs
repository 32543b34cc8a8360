using System;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// A kernel bug check (blue screen): the runtime detected a fatal misuse. The message names the
/// bug check, its code and what the parameters mean, e.g.
/// <c>BAD_POOL_CALLER (0xC2): freed with tag 'Your', allocated with 'Mine'</c>.
/// </summary>
public sealed class BugCheckException : Exception
{
    /// <summary>Creates a bug check with its code, four parameters and a one-line explanation.</summary>
    public BugCheckException(uint bugCheckCode, ulong parameter1, ulong parameter2, ulong parameter3, ulong parameter4, string explanation)
        : this(bugCheckCode, parameter1, parameter2, parameter3, parameter4, explanation, innerException: null)
    {
    }

    /// <summary>Creates a bug check caused by <paramref name="innerException"/>, e.g. KMODE_EXCEPTION_NOT_HANDLED for an exception a DPC routine let escape.</summary>
    public BugCheckException(uint bugCheckCode, ulong parameter1, ulong parameter2, ulong parameter3, ulong parameter4, string explanation, Exception? innerException)
        : base($"{BugCheckNames.NameOf(bugCheckCode)} (0x{bugCheckCode:X2}): {explanation}", innerException)
    {
        BugCheckCode = bugCheckCode;
        Parameter1 = parameter1;
        Parameter2 = parameter2;
        Parameter3 = parameter3;
        Parameter4 = parameter4;
    }

    /// <summary>The bug-check code, e.g. 0xC2 for BAD_POOL_CALLER.</summary>
    public uint BugCheckCode { get; }

    /// <summary>Bug-check parameter 1 (for BAD_POOL_CALLER and 0xC4: the subcode).</summary>
    public ulong Parameter1 { get; }

    /// <summary>Bug-check parameter 2.</summary>
    public ulong Parameter2 { get; }

    /// <summary>Bug-check parameter 3.</summary>
    public ulong Parameter3 { get; }

    /// <summary>Bug-check parameter 4.</summary>
    public ulong Parameter4 { get; }
}

/// <summary>An exception raised with a status, as <c>ExRaiseStatus</c> does in the kernel.</summary>
public sealed class NtStatusException : Exception
{
    /// <summary>Creates the exception for <paramref name="status"/> with a message that names it.</summary>
    public NtStatusException(NTSTATUS status, string explanation)
        : base($"{status} (0x{(uint)status:X8}): {explanation}")
    {
        Status = status;
    }

    /// <summary>The status raised.</summary>
    public NTSTATUS Status { get; }
}

/// <summary>Bug-check codes this runtime raises, with their names.</summary>
public static class BugCheckNames
{
    /// <summary>0x09: an attempt to raise IRQL to a lower level, or similar.</summary>
    public const uint IRQL_NOT_GREATER_OR_EQUAL = 0x09;
    /// <summary>0x0A: an attempt to lower IRQL to a higher level, or similar.</summary>
    public const uint IRQL_NOT_LESS_OR_EQUAL = 0x0A;
    /// <summary>0x0F: a spin lock acquired by its owner (P1 0), or held through the other acquisition form: P1 1 an ordinary acquisition of a lock held or awaited through the in-stack queue, P1 2 an in-stack queued acquisition of a lock held through KeAcquireSpinLock.</summary>
    public const uint SPIN_LOCK_ALREADY_OWNED = 0x0F;
    /// <summary>0x10: a spin lock released by a thread that does not own it.</summary>
    public const uint SPIN_LOCK_NOT_OWNED = 0x10;
    /// <summary>0x19: a pool header is corrupt.</summary>
    public const uint BAD_POOL_HEADER = 0x19;
    /// <summary>0x1E: a kernel-mode exception no handler caught; P1 the exception code (STATUS_ACCESS_VIOLATION for a bad Rtl range; for an exception a DPC routine let escape, its NTSTATUS or HRESULT, and the exception is the InnerException).</summary>
    public const uint KMODE_EXCEPTION_NOT_HANDLED = 0x1E;
    /// <summary>0x41: must-succeed pool is empty.</summary>
    public const uint MUST_SUCCEED_POOL_EMPTY = 0x41;
    /// <summary>0xC2: a bad pool request (subcode in parameter 1).</summary>
    public const uint BAD_POOL_CALLER = 0xC2;
    /// <summary>0xC4: Driver Verifier caught a violation (subcode in parameter 1).</summary>
    public const uint DRIVER_VERIFIER_DETECTED_VIOLATION = 0xC4;
    /// <summary>0xC1: special pool found a corrupted fill pattern.</summary>
    public const uint SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION = 0xC1;
    /// <summary>0xCC: a freed special-pool block was touched.</summary>
    public const uint PAGE_FAULT_IN_FREED_SPECIAL_POOL = 0xCC;
    /// <summary>0xCD: a special-pool block was written beyond its end.</summary>
    public const uint PAGE_FAULT_BEYOND_END_OF_ALLOCATION = 0xCD;
    /// <summary>0xB8: a DPC routine waited (here: called KeFlushQueuedDpcs, which waits for DPCs).</summary>
    public const uint ATTEMPTED_SWITCH_FROM_DPC = 0xB8;
    /// <summary>0xC7: a timer or DPC object was reused (initialized again) while the kernel still had it queued; P1 0 timer, 1 DPC.</summary>
    public const uint TIMER_OR_DPC_INVALID = 0xC7;
    /// <summary>0xC8: the IRQL is not what it should be, e.g. a DPC routine returned at another IRQL; P1 (current &lt;&lt; 16) | (expected &lt;&lt; 8) | unique value.</summary>
    public const uint IRQL_UNEXPECTED_VALUE = 0xC8;
    /// <summary>0x133: the DPC watchdog saw too long a run at DISPATCH_LEVEL: P1 0 a single DPC routine, 1 a spin-lock wait.</summary>
    public const uint DPC_WATCHDOG_VIOLATION = 0x133;

    /// <summary>The symbolic name of a bug-check code, or "BUGCHECK" for one this runtime does not raise.</summary>
    public static string NameOf(uint code) => code switch
    {
        IRQL_NOT_GREATER_OR_EQUAL => nameof(IRQL_NOT_GREATER_OR_EQUAL),
        IRQL_NOT_LESS_OR_EQUAL => nameof(IRQL_NOT_LESS_OR_EQUAL),
        SPIN_LOCK_ALREADY_OWNED => nameof(SPIN_LOCK_ALREADY_OWNED),
        SPIN_LOCK_NOT_OWNED => nameof(SPIN_LOCK_NOT_OWNED),
        BAD_POOL_HEADER => nameof(BAD_POOL_HEADER),
        KMODE_EXCEPTION_NOT_HANDLED => nameof(KMODE_EXCEPTION_NOT_HANDLED),
        MUST_SUCCEED_POOL_EMPTY => nameof(MUST_SUCCEED_POOL_EMPTY),
        BAD_POOL_CALLER => nameof(BAD_POOL_CALLER),
        DRIVER_VERIFIER_DETECTED_VIOLATION => nameof(DRIVER_VERIFIER_DETECTED_VIOLATION),
        SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION => nameof(SPECIAL_POOL_DETECTED_MEMORY_CORRUPTION),
        PAGE_FAULT_IN_FREED_SPECIAL_POOL => nameof(PAGE_FAULT_IN_FREED_SPECIAL_POOL),
        PAGE_FAULT_BEYOND_END_OF_ALLOCATION => nameof(PAGE_FAULT_BEYOND_END_OF_ALLOCATION),
        ATTEMPTED_SWITCH_FROM_DPC => nameof(ATTEMPTED_SWITCH_FROM_DPC),
        TIMER_OR_DPC_INVALID => nameof(TIMER_OR_DPC_INVALID),
        IRQL_UNEXPECTED_VALUE => nameof(IRQL_UNEXPECTED_VALUE),
        DPC_WATCHDOG_VIOLATION => nameof(DPC_WATCHDOG_VIOLATION),
        _ => "BUGCHECK",
    };
}
