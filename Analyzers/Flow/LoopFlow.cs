using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers.Flow;

/// <summary>A state that left a loop's blocks: by which edge (a block's number times two, plus one for its conditional successor), and where to.</summary>
internal readonly struct LoopArrival<TState>(int edge, TState state, SyntaxNode? returned, bool leavesLoop)
    where TState : class
{
    public int Edge { get; } = edge;

    public TState State { get; } = state;

    /// <summary>The returned value's syntax, for a <c>return</c> with a value.</summary>
    public SyntaxNode? Returned { get; } = returned;

    /// <summary>True for an edge to what follows the loop, false for one out of the function.</summary>
    public bool LeavesLoop { get; } = leavesLoop;
}

/// <summary>
/// Runs a domain over a <see cref="LoopLayout"/> as <see cref="ForwardFlow"/> runs it over the same blocks of the
/// graph: the same worklist (lowest block first), the same joins at block inputs in the order states arrive,
/// the same visit budget; then one pass over the settled inputs in block order, recording, as
/// <see cref="FlowResult{TState}.Replay"/> does.
/// </summary>
/// <remarks>
/// The graph's blocks before a loop are all transferred before its head, and the ones after it only once it has
/// settled (none has a lower ordinal than the head, none is reached back from inside): a loop's blocks run on the
/// graph as they do here, on their own. What leaves them is handed back in the order it left, for the caller to
/// join as the graph joins it after the loop or keeps it apart at the exit.
/// </remarks>
internal sealed class LoopFlow<TState, TDomain>
    where TState : class
    where TDomain : FlowDomain<TState>, ITreeDomain<TState>
{
    private readonly List<LoopBlock> _blocks;
    private readonly TDomain _domain;
    private readonly TState?[] _inputs;
    private readonly Worklist _worklist;
    private readonly List<LoopArrival<TState>> _arrivals = [];

    private LoopFlow(LoopLayout layout, TDomain domain)
    {
        _blocks = layout.Blocks;
        _domain = domain;
        _inputs = new TState?[_blocks.Count];
        _worklist = new Worklist(_blocks.Count);
    }

    /// <summary>
    /// What leaves the loop entered with <paramref name="entry"/>, in the order it leaves; null when the blocks do
    /// not settle within the graph analysis's visit budget (the graph then decides).
    /// </summary>
    public static List<LoopArrival<TState>>? Run(LoopLayout layout, TState entry, TDomain domain)
    {
        var flow = new LoopFlow<TState, TDomain>(layout, domain);
        bool recording = domain.Recording;
        domain.Recording = false;
        bool settled = flow.Settle(entry);
        domain.Recording = recording;
        if (!settled)
        {
            return null;
        }

        flow.Replay();
        return flow._arrivals;
    }

    /// <summary>
    /// The fixed point, within the graph's budget per block: the graph's run of these blocks is then within
    /// its own budget (every block outside a loop runs once), so it gives a result whenever this does.
    /// </summary>
    private bool Settle(TState entry)
    {
        _inputs[0] = entry;
        _worklist.Add(0);
        int budget = _blocks.Count * ForwardFlow.VisitsPerBlock;
        while (_worklist.TakeLowest() is int ordinal)
        {
            if (--budget < 0)
            {
                return false;
            }

            Process(ordinal);
        }

        return true;
    }

    private void Process(int ordinal)
    {
        LoopBlock block = _blocks[ordinal];
        TState state = Operations(block, _inputs[ordinal]!);
        switch (block.End)
        {
            case LoopBlockEnd.Condition:
                IOperation condition = block.BranchValue!;
                Follow((ordinal * 2) + 1, block.Conditional, _domain.Branch(state, condition, block.ConditionalValue), returned: null);
                Follow(ordinal * 2, block.FallThrough, _domain.Branch(state, condition, !block.ConditionalValue), returned: null);
                break;
            case LoopBlockEnd.Jump:
                Follow(ordinal * 2, block.FallThrough, state, returned: null);
                break;
            case LoopBlockEnd.Return:
                Follow(ordinal * 2, LoopLayout.Exit, state, block.BranchValue!.Syntax);
                break;
        }
    }

    /// <summary>The block's operations and branch value (a condition, a returned or thrown value) transferred from <paramref name="state"/>.</summary>
    private TState Operations(LoopBlock block, TState state)
    {
        foreach (IOperation operation in block.Operations)
        {
            state = operation is IVariableDeclaratorOperation declarator
                ? _domain.Declare(state, declarator.Symbol, declarator.Initializer!.Value)
                : _domain.Transfer(state, operation);
        }

        return block.BranchValue is { } value ? _domain.Transfer(state, value) : state;
    }

    private void Follow(int edge, int target, TState? state, SyntaxNode? returned)
    {
        if (state is null)
        {
            return;
        }

        if (target >= 0)
        {
            MergeInto(target, state);
        }
        else
        {
            _arrivals.Add(new LoopArrival<TState>(edge, state, returned, leavesLoop: target == LoopLayout.Out));
        }
    }

    private void MergeInto(int ordinal, TState state)
    {
        if (_domain.JoinInto(ref _inputs[ordinal], state))
        {
            _worklist.Add(ordinal);
        }
    }

    /// <summary>Every reached block once more, in order, from its settled input: where the domain records what it finds.</summary>
    private void Replay()
    {
        for (int ordinal = 0; ordinal < _blocks.Count; ordinal++)
        {
            if (_inputs[ordinal] is { } input)
            {
                Operations(_blocks[ordinal], input);
            }
        }
    }
}
