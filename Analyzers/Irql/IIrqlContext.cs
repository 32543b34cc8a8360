using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Irql;

/// <summary>What the analysis of one function body asks of the compilation-wide engine.</summary>
internal interface IIrqlContext
{
    /// <summary>The callee's routine-table row and IRQL contract (cached per method).</summary>
    Callee CalleeOf(IMethodSymbol method);

    /// <summary>The IRQL contract of a function (a method, or a field or property whose initializer is analyzed: none).</summary>
    IrqlContract ContractOf(ISymbol function);

    /// <summary>
    /// The IRQL a method of the project leaves behind when called directly, relative to the IRQL it was
    /// called at, or null when it leaves the IRQL alone (or may not be analyzed).
    /// </summary>
    IrqlValue? ExitOf(IMethodSymbol method);

    /// <summary>
    /// True when some method of this name in the project may change the IRQL: a call that is dispatched
    /// at run time (virtual, interface, delegate) to such a name leaves an IRQL nobody knows.
    /// </summary>
    bool MayChangeIrql(IMethodSymbol method);
}
