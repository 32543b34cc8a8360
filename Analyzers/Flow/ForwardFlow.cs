using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;

namespace PoolAnalyzers.Flow;

/// <summary>
/// Runs a <see cref="FlowDomain{TState}"/> forward over a <see cref="ControlFlowGraph"/> to its fixed point:
/// a worklist of blocks, lowest ordinal first, each block's input the join of what reaches it.
/// </summary>
/// <remarks>
/// <para>
/// Normal control flow only, plus what an exception can start. A branch that leaves a <c>try</c> runs
/// the <c>finally</c> regions it names (<see cref="ControlFlowBranch.FinallyRegions"/>) in order and
/// then reaches its destination; a finally region's input is the join of every branch that runs it,
/// and its output continues each of them. A <c>catch</c> (or filter) handler starts from the join of
/// every state seen inside its <c>try</c>, because an exception can leave at any point. A finally is
/// not entered from an exception, and a throw reaches no exit: the exits of a method are its normal
/// returns, which is what rules about returning in a bad state want.
/// </para>
/// <para>
/// Every edge into the exit block is kept apart (<see cref="FlowResult{TState}.Exits"/>), with the
/// branch that started it, so a rule can say which return left in which state.
/// </para>
/// </remarks>
internal static class ForwardFlow
{
    /// <summary>How often, on average, a block may be revisited before the analysis gives up (no result).</summary>
    internal const int VisitsPerBlock = 64;

    /// <summary>The fixed point of <paramref name="domain"/> on <paramref name="graph"/> from <paramref name="entry"/>, or null when it is not reached within the visit budget.</summary>
    public static FlowResult<TState>? Run<TState>(ControlFlowGraph graph, TState entry, FlowDomain<TState> domain, CancellationToken cancellationToken)
        where TState : class
        => new Runner<TState>(graph, domain, cancellationToken).Run(entry);

    private sealed class Runner<TState>(ControlFlowGraph graph, FlowDomain<TState> domain, CancellationToken cancellationToken)
        where TState : class
    {
        private readonly ImmutableArray<BasicBlock> _blocks = graph.Blocks;
        private readonly TState?[] _inputs = new TState?[graph.Blocks.Length];
        private readonly Worklist _worklist = new(graph.Blocks.Length);
        private readonly bool _hasFinally = HasFinally(graph.Root);
        private readonly Dictionary<ControlFlowRegion, FinallyRegion> _finallies = [];
        private readonly List<ExitEdge<TState>> _exits = [];
        private readonly Dictionary<ControlFlowBranch, int> _exitIndex = [];
        private readonly int[]?[] _handlers = new int[]?[graph.Blocks.Length];
        private readonly bool[] _processed = new bool[graph.Blocks.Length];
        private bool _revisited;

        public FlowResult<TState>? Run(TState entry)
        {
            if (_blocks.IsEmpty)
            {
                return null;
            }

            _inputs[0] = entry;
            _worklist.Add(0);
            int budget = (_blocks.Length * VisitsPerBlock) + 256;
            while (_worklist.TakeLowest() is int ordinal)
            {
                if (--budget < 0)
                {
                    return null;
                }

                cancellationToken.ThrowIfCancellationRequested();
                Process(_blocks[ordinal]);
            }

            return new FlowResult<TState>(graph, _inputs, [.. _exits], settledInOnePass: !_revisited);
        }

        private void Process(BasicBlock block)
        {
            TState input = _inputs[block.Ordinal]!;
            if (block.Kind == BasicBlockKind.Exit)
            {
                return;
            }

            _revisited |= _processed[block.Ordinal];
            _processed[block.Ordinal] = true;

            TState state = input;
            foreach (IOperation operation in block.Operations)
            {
                state = domain.Transfer(state, operation);
            }

            IOperation? branchValue = block.BranchValue;
            if (branchValue is not null)
            {
                state = domain.Transfer(state, branchValue);
            }

            ReachHandlers(block, input, state);
            if (block.ConditionKind != ControlFlowConditionKind.None && branchValue is not null)
            {
                bool conditionalValue = block.ConditionKind == ControlFlowConditionKind.WhenTrue;
                Follow(block.ConditionalSuccessor, domain.Branch(state, branchValue, conditionalValue));
                Follow(block.FallThroughSuccessor, domain.Branch(state, branchValue, !conditionalValue));
            }
            else
            {
                Follow(block.FallThroughSuccessor, state);
            }
        }

        private void Follow(ControlFlowBranch? branch, TState? state)
        {
            if (branch is null || state is null)
            {
                return;
            }

            if (!_hasFinally)
            {
                // No finally anywhere: no branch runs one (and asking a branch which it runs costs an allocation).
                if (branch.Semantics != ControlFlowBranchSemantics.StructuredExceptionHandling)
                {
                    Arrive(branch, state);
                }

                return;
            }

            if (branch.Semantics == ControlFlowBranchSemantics.StructuredExceptionHandling)
            {
                if (EnclosingFinally(branch.Source.EnclosingRegion) is { } region)
                {
                    EndFinally(region, state);
                }

                return;
            }

            if (!branch.FinallyRegions.IsEmpty)
            {
                EnterFinally(branch, 0, state);
                return;
            }

            Arrive(branch, state);
        }

        private void Arrive(ControlFlowBranch origin, TState state)
        {
            BasicBlock? destination = origin.Destination;
            if (destination is null)
            {
                return;
            }

            if (destination.Kind == BasicBlockKind.Exit)
            {
                if (_exitIndex.TryGetValue(origin, out int index))
                {
                    _exits[index] = new ExitEdge<TState>(origin, domain.Join(_exits[index].State, state));
                }
                else
                {
                    _exitIndex.Add(origin, _exits.Count);
                    _exits.Add(new ExitEdge<TState>(origin, state));
                }

                return;
            }

            MergeInto(destination.Ordinal, state);
        }

        private void EnterFinally(ControlFlowBranch origin, int index, TState state)
        {
            ControlFlowRegion region = origin.FinallyRegions[index];
            if (!_finallies.TryGetValue(region, out FinallyRegion? finallyRegion))
            {
                finallyRegion = new FinallyRegion();
                _finallies.Add(region, finallyRegion);
            }

            if (!finallyRegion.Continuations.Contains((origin, index)))
            {
                finallyRegion.Continuations.Add((origin, index));
                if (finallyRegion.Output is { } output)
                {
                    Continue(origin, index, output);
                }
            }

            MergeInto(region.FirstBlockOrdinal, state);
        }

        private void EndFinally(ControlFlowRegion region, TState state)
        {
            if (!_finallies.TryGetValue(region, out FinallyRegion? finallyRegion))
            {
                // Entered only by an exception, which this analysis does not follow.
                return;
            }

            finallyRegion.Output = finallyRegion.Output is null ? state : domain.Join(finallyRegion.Output, state);
            foreach ((ControlFlowBranch origin, int index) in finallyRegion.Continuations.ToArray())
            {
                Continue(origin, index, finallyRegion.Output);
            }
        }

        private void Continue(ControlFlowBranch origin, int index, TState state)
        {
            if (index + 1 < origin.FinallyRegions.Length)
            {
                EnterFinally(origin, index + 1, state);
            }
            else
            {
                Arrive(origin, state);
            }
        }

        private void MergeInto(int ordinal, TState state)
        {
            if (domain.JoinInto(ref _inputs[ordinal], state))
            {
                _worklist.Add(ordinal);
            }
        }

        /// <summary>An exception inside a <c>try</c> can leave from any point: its handlers see what the block starts and ends with.</summary>
        private void ReachHandlers(BasicBlock block, TState input, TState output)
        {
            int[] handlers = _handlers[block.Ordinal] ??= HandlerEntries(block);
            foreach (int handler in handlers)
            {
                MergeInto(handler, domain.EnterHandler(input));
                MergeInto(handler, domain.EnterHandler(output));
            }
        }

        private static int[] HandlerEntries(BasicBlock block)
        {
            List<int>? entries = null;
            for (ControlFlowRegion? region = block.EnclosingRegion; region is not null; region = region.EnclosingRegion)
            {
                if (region.Kind != ControlFlowRegionKind.Try || region.EnclosingRegion is not { Kind: ControlFlowRegionKind.TryAndCatch } tryAndCatch)
                {
                    continue;
                }

                foreach (ControlFlowRegion handler in tryAndCatch.NestedRegions)
                {
                    if (handler.Kind is ControlFlowRegionKind.Catch or ControlFlowRegionKind.FilterAndHandler)
                    {
                        (entries ??= []).Add(handler.FirstBlockOrdinal);
                    }
                }
            }

            return entries?.ToArray() ?? [];
        }

        private static bool HasFinally(ControlFlowRegion region)
        {
            if (region.Kind == ControlFlowRegionKind.Finally)
            {
                return true;
            }

            foreach (ControlFlowRegion nested in region.NestedRegions)
            {
                if (HasFinally(nested))
                {
                    return true;
                }
            }

            return false;
        }

        private static ControlFlowRegion? EnclosingFinally(ControlFlowRegion? region)
        {
            while (region is not null && region.Kind != ControlFlowRegionKind.Finally)
            {
                region = region.EnclosingRegion;
            }

            return region;
        }

        /// <summary>The branches a finally region was entered by (each with its index in that branch's finally list), and its joined output.</summary>
        private sealed class FinallyRegion
        {
            public List<(ControlFlowBranch Origin, int Index)> Continuations { get; } = [];

            public TState? Output { get; set; }
        }
    }
}
