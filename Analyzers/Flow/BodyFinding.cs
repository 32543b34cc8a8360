using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Flow;

/// <summary>
/// One finding of a rule on a flow analysis (the IRQL engine, the pointer-lifetime analysis): where,
/// the message arguments in the rule's order, and the properties its fix reads (empty when it has none).
/// </summary>
internal sealed class BodyFinding(string ruleId, Location location, ImmutableArray<string> arguments, ImmutableDictionary<string, string?>? properties = null)
{
    public string RuleId { get; } = ruleId;

    public Location Location { get; } = location;

    public ImmutableArray<string> Arguments { get; } = arguments;

    public ImmutableDictionary<string, string?> Properties { get; } = properties ?? ImmutableDictionary<string, string?>.Empty;
}
