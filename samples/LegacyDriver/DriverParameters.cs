namespace LegacyDriver;

/// <summary>
/// The settings the driver reads at load time, the way a real driver reads its service key
/// (<c>HKLM\SYSTEM\CurrentControlSet\Services\LegacyDriver\Parameters</c>).
/// </summary>
internal sealed record DriverParameters
{
    /// <summary>
    /// Selects the allocation path the driver shipped with before it moved to lookaside lists.
    /// Off in every supported configuration; still read so old installations that set it keep loading.
    /// </summary>
    public bool UseLegacyAllocator { get; init; }

    /// <summary>Keeps a copy of every completed payload for the trace reader. Diagnostics builds only; off by default.</summary>
    public bool TraceCompletions { get; init; }
}
