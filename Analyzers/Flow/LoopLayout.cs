using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers.Flow;

/// <summary>How a <see cref="LoopBlock"/> is left.</summary>
internal enum LoopBlockEnd
{
    /// <summary>Unconditionally, by <see cref="LoopBlock.FallThrough"/>.</summary>
    Jump,

    /// <summary>On its branch value: <see cref="LoopBlock.Conditional"/> when the value is <see cref="LoopBlock.ConditionalValue"/>, else <see cref="LoopBlock.FallThrough"/>.</summary>
    Condition,

    /// <summary>Out of the function with its branch value.</summary>
    Return,

    /// <summary>By throwing its branch value: no edge.</summary>
    Throw,
}

/// <summary>
/// One basic block of a <see cref="LoopLayout"/>: the statement-level operations it transfers (a declarator
/// stands for the assignment of its initializer), how it is left, and where its edges go: a block of the
/// layout, <see cref="LoopLayout.Out"/> or <see cref="LoopLayout.Exit"/>.
/// </summary>
internal sealed class LoopBlock(int region)
{
    public List<IOperation> Operations { get; } = [];

    public IOperation? BranchValue { get; set; }

    public LoopBlockEnd End { get; set; }

    public bool ConditionalValue { get; set; }

    public int Conditional { get; set; } = LoopLayout.Unset;

    public int FallThrough { get; set; } = LoopLayout.Unset;

    /// <summary>The statement scope with locals the block belongs to: blocks of different scopes are never merged.</summary>
    public int Region { get; } = region;
}

/// <summary>
/// The basic blocks a <see cref="Microsoft.CodeAnalysis.FlowAnalysis.ControlFlowGraph"/> gives a loop, from its
/// head to its last block, in the graph's order, built from the operation tree the way Roslyn's graph builder
/// builds and then packs them. <see cref="TreeFlow"/> runs a domain over them as <see cref="ForwardFlow"/> runs
/// it over the graph, so the blocks and their edges must be the graph's exactly.
/// </summary>
/// <remarks>
/// <para>
/// The graph builder starts a block at every jump target (a label) and at every entry to or exit from a scope
/// that declares locals, and ends one at every branch; packing then merges a block into its only predecessor
/// when that predecessor falls into it unconditionally from the same scope, and removes a block that holds
/// nothing but a jump, sending every edge into it where the jump goes. So a block here starts at a target only
/// when more than the block before reaches it (or a back edge will: the head of a loop), or at a change of
/// scope; a jump from where no block is open sends the waiting edges straight to its target.
/// </para>
/// <para>
/// The layout covers what <see cref="TreeFlow.Qualifies"/> lets through: expression statements, declarations,
/// blocks, <c>if</c>/<c>else</c>, <c>return</c>, <c>throw</c>, <c>break</c>, <c>continue</c> and nested
/// <c>for</c>, <c>while</c> and <c>do</c> loops whose end is reached, with no dead code. An outermost
/// <c>for</c>'s initializer is left out: it runs once, before the head.
/// </para>
/// </remarks>
internal sealed class LoopLayout
{
    /// <summary>An edge not yet given a target.</summary>
    public const int Unset = -3;

    /// <summary>The target of an edge that leaves the loop for what follows it.</summary>
    public const int Out = -1;

    /// <summary>The target of an edge that leaves the function.</summary>
    public const int Exit = -2;

    private LoopLayout(List<LoopBlock> blocks) => Blocks = blocks;

    /// <summary>The blocks, the loop's entry first.</summary>
    public List<LoopBlock> Blocks { get; }

    /// <summary>The layout of <paramref name="loop"/>, or null when it has a shape the layout does not follow.</summary>
    public static LoopLayout? Of(ILoopOperation loop)
    {
        var builder = new Builder();
        return builder.Outermost(loop) ? new LoopLayout(builder.Blocks) : null;
    }

    /// <summary>A point jumps go to: a block once placed, until then the edges waiting for it.</summary>
    private sealed class Label
    {
        public int Block { get; set; } = Unset;

        public List<int> Edges { get; } = [];
    }

    /// <summary>Where <c>break</c> and <c>continue</c> of the innermost loop go.</summary>
    private readonly struct Targets(Label @break, Label @continue)
    {
        public Label Break { get; } = @break;

        public Label Continue { get; } = @continue;
    }

    /// <summary>
    /// Builds the blocks in the order the graph builder appends them. An edge is a block's number times two,
    /// plus one for its conditional successor.
    /// </summary>
    private sealed class Builder
    {
        private readonly Label _exit = new() { Block = Exit };

        /// <summary>Edges that go to whatever block comes next.</summary>
        private readonly List<int> _pending = [];

        /// <summary>Loop heads waiting for their block: a back edge will reach it, so it is a block of its own.</summary>
        private readonly List<Label> _heads = [];

        /// <summary>The block that takes the next operation when it is of the current scope; nothing else reaches what follows it.</summary>
        private int _open = -1;
        private int _region;
        private int _regions;
        private bool _broken;

        public List<LoopBlock> Blocks { get; } = [];

        /// <summary>Lays out <paramref name="loop"/>; false when something came out other than the shape check promised.</summary>
        public bool Outermost(ILoopOperation loop)
        {
            var after = new Label();
            Loop(loop, after, outermost: true);
            foreach (int edge in after.Edges)
            {
                SetTarget(edge, Out);
            }

            return !_broken && Complete();
        }

        private bool Complete()
        {
            foreach (LoopBlock block in Blocks)
            {
                if ((block.End == LoopBlockEnd.Condition && block.Conditional == Unset) || (block.End is LoopBlockEnd.Jump or LoopBlockEnd.Condition && block.FallThrough == Unset))
                {
                    return false;
                }
            }

            return Blocks.Count > 0 && _pending.Count == 0 && _heads.Count == 0 && _open < 0;
        }

        private void Loop(ILoopOperation loop, Label after, bool outermost)
        {
            switch (loop)
            {
                case IForLoopOperation forLoop:
                    For(forLoop, after, outermost);
                    break;
                case IWhileLoopOperation { ConditionIsTop: true } whileLoop:
                    While(whileLoop, after);
                    break;
                case IWhileLoopOperation doLoop:
                    Do(doLoop, after);
                    break;
                default:
                    _broken = true;
                    break;
            }
        }

        /// <summary>The head holds the condition; the body falls back to it; <c>continue</c> goes to it.</summary>
        private void While(IWhileLoopOperation loop, Label after)
        {
            var head = new Label();
            Head(head);
            Condition(loop.Condition!, jumpIfTrue: false, after);
            Statement(loop.Body, new Targets(after, head));
            Jump(head);
        }

        /// <summary>As <c>while</c> in the scope of the loop's locals, with <c>continue</c> going to the increments.</summary>
        private void For(IForLoopOperation loop, Label after, bool outermost)
        {
            int outer = _region;
            if (!loop.Locals.IsEmpty)
            {
                _region = ++_regions;
            }

            if (!outermost)
            {
                foreach (IOperation statement in loop.Before)
                {
                    Statement(statement, targets: null);
                }
            }

            var head = new Label();
            Head(head);
            Condition(loop.Condition!, jumpIfTrue: false, after);
            var next = new Label();
            Statement(loop.Body, new Targets(after, next));
            Place(next);
            foreach (IOperation statement in loop.AtLoopBottom)
            {
                Statement(statement, targets: null);
            }

            Jump(head);
            _region = outer;
        }

        /// <summary>The body starts the loop; the condition, where <c>continue</c> goes, jumps back to it.</summary>
        private void Do(IWhileLoopOperation loop, Label after)
        {
            var start = new Label();
            Head(start);
            var next = new Label();
            Statement(loop.Body, new Targets(after, next));
            Place(next);
            Condition(loop.Condition!, jumpIfTrue: true, start);
            Jump(after);
        }

        private void Statement(IOperation statement, Targets? targets)
        {
            switch (statement)
            {
                case IBlockOperation block:
                    Scope(block, targets);
                    break;
                case IEmptyOperation:
                    break;
                case IThrowOperation or IExpressionStatementOperation { Operation: IThrowOperation }:
                    End(ThrownBy(statement), LoopBlockEnd.Throw);
                    break;
                case IExpressionStatementOperation:
                    Add(statement);
                    break;
                case IVariableDeclarationGroupOperation group:
                    Declare(group);
                    break;
                case IReturnOperation { ReturnedValue: { } value }:
                    End(value, LoopBlockEnd.Return);
                    break;
                case IReturnOperation:
                    Jump(_exit);
                    break;
                case IConditionalOperation conditional:
                    If(conditional, targets);
                    break;
                case IBranchOperation { BranchKind: BranchKind.Break } when targets is { } loop:
                    Jump(loop.Break);
                    break;
                case IBranchOperation { BranchKind: BranchKind.Continue } when targets is { } loop:
                    Jump(loop.Continue);
                    break;
                case ILoopOperation loop:
                    var after = new Label();
                    Loop(loop, after, outermost: false);
                    Place(after);
                    break;
                default:
                    _broken = true;
                    break;
            }
        }

        private static IOperation? ThrownBy(IOperation statement)
            => (statement is IExpressionStatementOperation expression ? expression.Operation : statement) is IThrowOperation thrown ? thrown.Exception : null;

        /// <summary>A block with locals is a scope of its own in the graph: its blocks are not merged with the ones around it.</summary>
        private void Scope(IBlockOperation block, Targets? targets)
        {
            int outer = _region;
            if (!block.Locals.IsEmpty)
            {
                _region = ++_regions;
            }

            foreach (IOperation statement in block.Operations)
            {
                Statement(statement, targets);
            }

            _region = outer;
        }

        private void Declare(IVariableDeclarationGroupOperation group)
        {
            foreach (IVariableDeclarationOperation declaration in group.Declarations)
            {
                foreach (IVariableDeclaratorOperation declarator in declaration.Declarators)
                {
                    if (declarator.Initializer is not null)
                    {
                        Add(declarator);
                    }
                }
            }
        }

        /// <summary>The condition jumps to the <c>else</c> (or past the <c>if</c>) when false, and falls into the <c>then</c>.</summary>
        private void If(IConditionalOperation conditional, Targets? targets)
        {
            var otherwise = new Label();
            Condition(conditional.Condition, jumpIfTrue: false, otherwise);
            Statement(conditional.WhenTrue, targets);
            if (conditional.WhenFalse is not { } whenFalse)
            {
                Place(otherwise);
                return;
            }

            var after = new Label();
            Jump(after);
            Place(otherwise);
            Statement(whenFalse, targets);
            Place(after);
        }

        /// <summary>A branch on <paramref name="condition"/> to <paramref name="target"/>; a leading <c>!</c> is taken off and flips the sense, as in the graph.</summary>
        private void Condition(IOperation condition, bool jumpIfTrue, Label target)
        {
            while (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, OperatorMethod: null, Operand: { Type.SpecialType: SpecialType.System_Boolean } operand })
            {
                jumpIfTrue = !jumpIfTrue;
                condition = operand;
            }

            int block = Open();
            LoopBlock condBlock = Blocks[block];
            condBlock.BranchValue = condition;
            condBlock.End = LoopBlockEnd.Condition;
            condBlock.ConditionalValue = jumpIfTrue;
            Route((block * 2) + 1, target);
            _open = -1;
            _pending.Add(block * 2);
        }

        private void Add(IOperation operation) => Blocks[Open()].Operations.Add(operation);

        /// <summary>Ends the current block with a return or throw of <paramref name="value"/>.</summary>
        private void End(IOperation? value, LoopBlockEnd end)
        {
            int block = Open();
            Blocks[block].BranchValue = value;
            Blocks[block].End = end;
            if (end == LoopBlockEnd.Return)
            {
                Blocks[block].FallThrough = Exit;
            }

            _open = -1;
        }

        /// <summary>The block that takes the next operation: the open one when nothing else reaches this point and the scope is the same, else a new one that every waiting edge reaches.</summary>
        private int Open()
        {
            if (_open >= 0 && Blocks[_open].Region == _region)
            {
                // Going on in an earlier block would put operations out of the statements' order, which the
                // numbering of allocations follows: not a shape the checks let through.
                _broken |= _open != Blocks.Count - 1;
                return _open;
            }

            Close();
            int index = Blocks.Count;
            Blocks.Add(new LoopBlock(_region));
            foreach (int edge in _pending)
            {
                SetTarget(edge, index);
            }

            foreach (Label head in _heads)
            {
                head.Block = index;
            }

            _pending.Clear();
            _heads.Clear();
            _open = index;
            return index;
        }

        /// <summary>The open block falls into whatever comes next.</summary>
        private void Close()
        {
            if (_open >= 0)
            {
                _pending.Add(_open * 2);
                _open = -1;
            }
        }

        /// <summary>
        /// A target reached by the edges waiting for <paramref name="label"/>: a new block, unless nothing jumps to it
        /// or its only way in falls through from a block, which the graph then goes on in wherever it stands
        /// (an <c>if</c> whose <c>else</c> ends in a jump goes on in its <c>then</c> block).
        /// </summary>
        private void Place(Label label)
        {
            if (label.Edges.Count == 0)
            {
                return;
            }

            Close();
            if (_pending.Count == 0 && _heads.Count == 0 && label.Edges.Count == 1 && label.Edges[0] % 2 == 0 && Blocks[label.Edges[0] / 2].End == LoopBlockEnd.Jump)
            {
                _open = label.Edges[0] / 2;
            }
            else
            {
                _pending.AddRange(label.Edges);
            }

            label.Edges.Clear();
        }

        /// <summary>A loop head: back edges will reach it, so it starts a block of its own.</summary>
        private void Head(Label head)
        {
            Close();
            _heads.Add(head);
        }

        /// <summary>Everything that reaches this point goes to <paramref name="target"/>: the graph drops a block that only jumps.</summary>
        private void Jump(Label target)
        {
            if (_heads.Count > 0)
            {
                // A head that only jumps would be dropped, its back edges sent on: not a shape the checks let through.
                _broken = true;
            }

            Close();
            foreach (int edge in _pending)
            {
                Route(edge, target);
            }

            _pending.Clear();
        }

        private void Route(int edge, Label target)
        {
            if (target.Block == Unset)
            {
                target.Edges.Add(edge);
            }
            else
            {
                SetTarget(edge, target.Block);
            }
        }

        private void SetTarget(int edge, int target)
        {
            LoopBlock block = Blocks[edge / 2];
            if (edge % 2 == 1)
            {
                block.Conditional = target;
            }
            else
            {
                block.FallThrough = target;
            }
        }
    }
}
