using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Irql;

/// <summary>One finding of an IRQL rule: where, the message arguments in the rule's order, and the properties its fix reads.</summary>
internal sealed class IrqlFinding(string ruleId, Location location, ImmutableArray<string> arguments, ImmutableDictionary<string, string?> properties)
{
    public string RuleId { get; } = ruleId;

    public Location Location { get; } = location;

    public ImmutableArray<string> Arguments { get; } = arguments;

    public ImmutableDictionary<string, string?> Properties { get; } = properties;
}
