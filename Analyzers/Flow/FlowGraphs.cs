using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers.Flow;

/// <summary>
/// The control-flow graph of each member body, built once however many analyses walk it: the IRQL
/// engine and the pointer-lifetime analysis usually need the same bodies (a lock and an allocation in
/// one routine), and building a graph costs more than either analysis of it.
/// </summary>
/// <remarks>
/// Keyed by the body's root operation, which the semantic model caches, so the body an operation-block
/// callback hands over and the one the IRQL engine binds for a caller in another file are the same
/// object. The table holds the graph only as long as the operation tree lives.
/// </remarks>
internal static class FlowGraphs
{
    private static readonly ConditionalWeakTable<IOperation, ControlFlowGraph> s_graphs = new();

    /// <summary>The graph of <paramref name="body"/>, or null when it is not a body a graph can be built for.</summary>
    public static ControlFlowGraph? Of(IOperation body, CancellationToken cancellationToken)
    {
        if (s_graphs.TryGetValue(body, out ControlFlowGraph? known))
        {
            return known;
        }

        ControlFlowGraph? graph = body switch
        {
            IMethodBodyOperation method => ControlFlowGraph.Create(method, cancellationToken),
            IConstructorBodyOperation constructor => ControlFlowGraph.Create(constructor, cancellationToken),
            IBlockOperation { Parent: null } block => ControlFlowGraph.Create(block, cancellationToken),
            IFieldInitializerOperation field => ControlFlowGraph.Create(field, cancellationToken),
            IPropertyInitializerOperation property => ControlFlowGraph.Create(property, cancellationToken),
            _ => null,
        };
        return graph is null ? null : s_graphs.GetValue(body, _ => graph);
    }
}
