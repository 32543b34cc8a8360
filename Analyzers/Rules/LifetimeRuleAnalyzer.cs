using Microsoft.CodeAnalysis;
using PoolAnalyzers.Lifetime;

namespace PoolAnalyzers;

/// <summary>A rule on the pointer-lifetime analysis (<see cref="LifetimeAnalysis"/>), shared per compilation by POOL009, POOL010 and POOL011.</summary>
public abstract class LifetimeRuleAnalyzer : FlowRuleAnalyzer
{
    private protected LifetimeRuleAnalyzer()
    {
    }

    /// <inheritdoc/>
    private protected sealed override FindingSource SourceFor(Compilation compilation, RuntimeSymbols symbols)
        => LifetimeAnalysis.For(compilation, symbols).FindingsOf;
}
