using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Lifetime;

/// <summary>One diagnostic of a pointer-lifetime rule (POOL009–POOL011): its rule, location and message arguments.</summary>
internal sealed class LifetimeFinding(string ruleId, Location location, ImmutableArray<string> arguments)
{
    public string RuleId { get; } = ruleId;

    public Location Location { get; } = location;

    public ImmutableArray<string> Arguments { get; } = arguments;
}
