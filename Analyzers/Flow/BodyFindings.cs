using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Flow;

/// <summary>
/// The findings a shared analysis made in each member body, so the other rules on it report them without
/// analyzing again. Keyed by the body's root operation, which every rule's callback receives as the same
/// object (the driver's semantic model caches it): a lookup hashes one reference, where a key by member
/// symbol would hash the symbol's names for each of the three rules and every body of the compilation.
/// </summary>
internal sealed class BodyFindings
{
    private readonly ConditionalWeakTable<IOperation, Entry> _table = new();

    public bool TryGet(IOperation body, out ImmutableArray<BodyFinding> findings)
    {
        if (_table.TryGetValue(body, out Entry? entry))
        {
            findings = entry.Findings;
            return true;
        }

        findings = default;
        return false;
    }

    /// <summary>The findings stored for <paramref name="body"/>: <paramref name="findings"/>, unless another thread stored its own first.</summary>
    public ImmutableArray<BodyFinding> GetOrAdd(IOperation body, ImmutableArray<BodyFinding> findings)
    {
        var entry = new Entry(findings);
        return _table.GetValue(body, _ => entry).Findings;
    }

    private sealed class Entry(ImmutableArray<BodyFinding> findings)
    {
        public ImmutableArray<BodyFinding> Findings { get; } = findings;
    }
}
