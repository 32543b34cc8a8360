using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Flow;

/// <summary>
/// The lattice and transfer functions of one forward data-flow analysis over a Roslyn
/// <see cref="Microsoft.CodeAnalysis.FlowAnalysis.ControlFlowGraph"/>. <see cref="ForwardFlow"/> runs any
/// domain to a fixed point; a domain only says what one operation does to a state, how two states
/// meet, and what a branch condition tells.
/// </summary>
/// <remarks>
/// States are immutable: <see cref="Transfer"/> and <see cref="Join"/> return new states (or one of
/// their arguments unchanged). The domain must be finite in height, or widen in <see cref="Join"/>,
/// so the fixed point is reached; <see cref="ForwardFlow"/> still gives up after a fixed number of
/// block visits and then reports no result, so a faulty domain makes an analysis silent, not slow.
/// </remarks>
/// <typeparam name="TState">The abstract state at a program point; null stands for "not reached".</typeparam>
internal abstract class FlowDomain<TState>
    where TState : class
{
    /// <summary>The least upper bound of two states reaching the same point.</summary>
    public abstract TState Join(TState left, TState right);

    /// <summary>True when the two states are equal (the fixed point is reached when no input changes).</summary>
    public abstract bool Same(TState left, TState right);

    /// <summary>
    /// The state after evaluating <paramref name="operation"/>: a statement-level operation of a block, or a
    /// block's branch value (a condition, a returned or thrown value). Nested operations are the domain's to walk.
    /// </summary>
    public abstract TState Transfer(TState state, IOperation operation);

    /// <summary>
    /// The state on the edge taken when <paramref name="condition"/> evaluated to <paramref name="value"/>,
    /// or null when the domain knows that edge cannot be taken from this state.
    /// </summary>
    public virtual TState? Branch(TState state, IOperation condition, bool value) => state;

    /// <summary>
    /// The state a <c>catch</c> or filter handler starts from, given a state seen inside its <c>try</c>: the
    /// state itself unless the domain treats what an exception interrupts differently.
    /// </summary>
    public virtual TState EnterHandler(TState state) => state;

    /// <summary>
    /// Joins <paramref name="state"/> into a block's <paramref name="input"/> as the graph analysis does:
    /// true when the input changed (the block must run again); an input the join leaves the same keeps its object.
    /// </summary>
    public bool JoinInto(ref TState? input, TState state)
    {
        TState? previous = input;
        TState merged = previous is null ? state : Join(previous, state);
        if (previous is not null && Same(previous, merged))
        {
            return false;
        }

        input = merged;
        return true;
    }
}
