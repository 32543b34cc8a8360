namespace PoolAnalyzers.Runtime;

/// <summary>Interrupt request level (x64 values). In this runtime the IRQL is kept per thread.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1069", Justification = "The WDK aliases are part of the contract.")]
public enum KIRQL : byte
{
    /// <summary>0: ordinary thread execution; everything is allowed.</summary>
    PASSIVE_LEVEL = 0,
    /// <summary>Alias of <see cref="PASSIVE_LEVEL"/>.</summary>
    LOW_LEVEL = 0,
    /// <summary>1: asynchronous procedure calls are masked; paged pool is still allowed.</summary>
    APC_LEVEL = 1,
    /// <summary>2: the scheduler is masked (DPCs, spin locks); no page faults, so no paged pool.</summary>
    DISPATCH_LEVEL = 2,
    /// <summary>5: corrected machine-check interrupts.</summary>
    CMCI_LEVEL = 5,
    /// <summary>12: synchronisation level.</summary>
    SYNCH_LEVEL = 12,
    /// <summary>13: clock interrupts.</summary>
    CLOCK_LEVEL = 13,
    /// <summary>14: inter-processor interrupts.</summary>
    IPI_LEVEL = 14,
    /// <summary>14: power-fail level (same as <see cref="IPI_LEVEL"/>).</summary>
    POWER_LEVEL = 14,
    /// <summary>15: profiling (same as <see cref="HIGH_LEVEL"/>).</summary>
    PROFILE_LEVEL = 15,
    /// <summary>15: the highest level; every interrupt is masked.</summary>
    HIGH_LEVEL = 15,
}
