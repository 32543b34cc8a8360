using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace PoolAnalyzers.Flow;

/// <summary>One normal way out of a function: the branch that started it (a return, or the end of the body) and the state it leaves with.</summary>
internal readonly struct ExitEdge<TState>(ControlFlowBranch origin, TState state)
    where TState : class
{
    /// <summary>
    /// The branch that leaves for the exit; for a return inside <c>try</c> it is the return's branch, whose
    /// finally regions ran before the state was taken.
    /// </summary>
    public ControlFlowBranch Origin { get; } = origin;

    public TState State { get; } = state;

    /// <summary>The value a <c>return</c> leaves with (the graph's branch value), or null for the end of the body or a <c>return;</c>.</summary>
    public IOperation? ReturnedValue => Origin is { Semantics: ControlFlowBranchSemantics.Return, Source.BranchValue: { } value } ? value : null;
}

/// <summary>The fixed point of a <see cref="ForwardFlow"/> run: the state at the start of every reached block, and every exit.</summary>
internal sealed class FlowResult<TState>
    where TState : class
{
    private readonly TState?[] _inputs;

    public FlowResult(ControlFlowGraph graph, TState?[] inputs, ImmutableArray<ExitEdge<TState>> exits, bool settledInOnePass)
    {
        Graph = graph;
        _inputs = inputs;
        Exits = exits;
        SettledInOnePass = settledInOnePass;
    }

    public ControlFlowGraph Graph { get; }

    /// <summary>Each normal exit, in the order the analysis first reached it.</summary>
    public ImmutableArray<ExitEdge<TState>> Exits { get; }

    /// <summary>
    /// True when every reached block was transferred exactly once (no loop or late join changed an input
    /// after its block ran): the run itself then saw each block from its final input, in block order, so
    /// whatever a domain recorded during the run is what <see cref="Replay"/> would record.
    /// </summary>
    public bool SettledInOnePass { get; }

    /// <summary>The state at the start of <paramref name="block"/>, or null when no path reaches it.</summary>
    public TState? InputOf(BasicBlock block) => _inputs[block.Ordinal];

    /// <summary>
    /// Transfers every reached block once more, in order, from its fixed-point input: the pass in which a
    /// domain records what it found at each operation, knowing the states are final.
    /// </summary>
    public void Replay(FlowDomain<TState> domain)
    {
        foreach (BasicBlock block in Graph.Blocks)
        {
            if (_inputs[block.Ordinal] is not { } state || block.Kind == BasicBlockKind.Exit)
            {
                continue;
            }

            foreach (IOperation operation in block.Operations)
            {
                state = domain.Transfer(state, operation);
            }

            if (block.BranchValue is { } branchValue)
            {
                domain.Transfer(state, branchValue);
            }
        }
    }
}
