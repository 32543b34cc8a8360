using Microsoft.CodeAnalysis;
using PoolAnalyzers.Irql;

namespace PoolAnalyzers;

/// <summary>A rule on the IRQL engine (<see cref="IrqlEngine"/>), shared per compilation by POOL004, POOL013 and POOL014.</summary>
public abstract class IrqlRuleAnalyzer : FlowRuleAnalyzer
{
    private protected IrqlRuleAnalyzer()
    {
    }

    /// <inheritdoc/>
    private protected sealed override FindingSource SourceFor(Compilation compilation, RuntimeSymbols symbols)
        => IrqlEngine.For(compilation, symbols).FindingsOf;
}
