using System;

namespace PoolAnalyzers;

/// <summary>Facts about a routine that cut across its <see cref="RoutineKind"/>.</summary>
[Flags]
internal enum RoutineTraits
{
    None = 0,

    /// <summary>Charges the allocation to the current process's quota (and, without a flag saying otherwise, raises on failure).</summary>
    Quota = 1,

    /// <summary>Takes a spin lock around its work (<c>ExInterlocked…</c>), raising to DISPATCH_LEVEL meanwhile.</summary>
    Interlocked = 2,

    /// <summary>The …AtDpcLevel / …FromDpcLevel form: requires DISPATCH_LEVEL and leaves the IRQL alone.</summary>
    AtDpcLevel = 4,

    /// <summary>The in-stack queued form of a spin lock routine (the old IRQL lives in a lock handle).</summary>
    Queued = 8,

    /// <summary>
    /// Returns zeroed memory (the <c>…Zero</c> helpers; <c>ExAllocatePool2</c> unless POOL_FLAG_UNINITIALIZED),
    /// or, on a fill routine, fills with zeros (<c>RtlZeroMemory</c>).
    /// </summary>
    Zeroed = 16,

    /// <summary>On the WDK's list of obsolete routines (zones, <c>MmIsThisAnNtAsSystem</c>).</summary>
    Obsolete = 32,
}
