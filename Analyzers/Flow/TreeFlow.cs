using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers.Flow;

/// <summary>A domain <see cref="TreeFlow"/> can run: it also takes a declared local's initial value, which a graph turns into an assignment.</summary>
internal interface ITreeDomain<TState>
    where TState : class
{
    /// <summary>The state after <paramref name="local"/> is declared with <paramref name="value"/>: what the graph's assignment to it would give.</summary>
    TState Declare(TState state, ILocalSymbol local, IOperation value);

    /// <summary>
    /// Whether transfers record what they find. Off while a loop is iterated to its fixed point: the graph
    /// analysis records from one pass over settled states (<see cref="FlowResult{TState}.Replay"/>).
    /// </summary>
    bool Recording { get; set; }
}

/// <summary>One normal way out of a function: the state it leaves with, and the returned value's syntax (null for the end of the body or a <c>return;</c>).</summary>
internal readonly struct ExitState<TState>(TState state, SyntaxNode? returned)
    where TState : class
{
    public TState State { get; } = state;

    public SyntaxNode? Returned { get; } = returned;
}

/// <summary>
/// The result <see cref="ForwardFlow"/> would give, for a body simple enough to need no control-flow graph:
/// its statements walked in order, with the domain's own transfer, branch and join. Building the graph
/// costs more than most analyses of it (docs/irql-engine.md, "Performance").
/// </summary>
/// <remarks>
/// <para>
/// A body qualifies (<see cref="Qualifies"/>) when its statements are blocks, expression statements,
/// declarations, <c>return</c>, <c>throw</c>, <c>if</c>/<c>else</c>, loops, and at most one level of
/// <c>try</c>/<c>finally</c> without <c>catch</c>; and when no expression branches inside (<c>?:</c>, <c>??</c>,
/// <c>?.</c>, <c>&amp;&amp;</c>, <c>||</c>, <c>switch</c>, <c>throw</c> expressions), creates a function (lambda,
/// local function) or is rewritten by the graph into captures (object and collection initializers,
/// <c>with</c>, tuples, deconstruction, interpolated-string handlers); an <c>is</c> pattern only as a whole
/// condition or value. A loop no other loop encloses is stepped over, state unchanged, when the caller names
/// it inert (its domain must then leave every state unchanged through it on the graph too); other
/// <c>for</c>, <c>while</c> and <c>do</c> loops are followed when <see cref="LoopLayout"/> lays them out. A
/// <c>foreach</c> that is not inert, a loop inside a <c>try</c>, <c>switch</c>, <c>using</c>, <c>lock</c>,
/// <c>goto</c>, <c>catch</c>, constant conditions, empty branches (where the graph folds or drops blocks) and
/// an <c>else</c> that ends in a jump while its <c>then</c> goes on (the graph then goes on in the <c>then</c>
/// block, ahead of the <c>else</c>) are left to the graph.
/// </para>
/// <para>
/// Outside loops the graph's blocks come in the order of the statements, each reached once, so one walk
/// sees every operation in the graph's order from the graph's input: joins happen where the graph joins
/// (after an <c>if</c>: the false edge first when there is no <c>else</c>), and paths that run off the end
/// of the body (or of a <c>try</c>) stay apart, one edge each, as in the graph; a condition is transferred
/// and then split by <see cref="FlowDomain{TState}.Branch"/> (a leading <c>!</c> flips the edges, as the
/// graph does), and a <c>finally</c> runs once from the join of every way out of its <c>try</c>, its result
/// continuing each of them. A loop's blocks are revisited until they settle, and each block's input keeps
/// what earlier visits brought, so a loop runs as the graph analysis runs it, on the graph's own blocks
/// (<see cref="LoopFlow{TState, TDomain}"/>). The tests run every body both ways and compare.
/// </para>
/// </remarks>
internal static class TreeFlow
{
    /// <summary>
    /// True when <paramref name="body"/> has a shape the walk follows exactly; <paramref name="returned"/>
    /// receives every returned value (the operations the graph makes its return branch values).
    /// </summary>
    /// <remarks>
    /// A loop the caller names inert through <paramref name="isInert"/> (one its domain leaves every state
    /// unchanged through, graph or not) is stepped over when no other loop encloses it.
    /// </remarks>
    public static bool Qualifies(IOperation body, List<IOperation> returned, System.Func<ILoopOperation, bool>? isInert = null)
        => StatementsOf(body) is { } statements && new ShapeCheck(returned, isInert).Sequence(statements, inTry: false);

    /// <summary>
    /// Walks a body that <see cref="Qualifies"/> (with the same <paramref name="isInert"/>): its normal exits, in the
    /// order the graph analysis would first reach them; null when a loop does not settle within the graph
    /// analysis's budget (the graph then decides).
    /// </summary>
    public static List<ExitState<TState>>? Run<TState, TDomain>(IOperation body, TState entry, TDomain domain, System.Func<ILoopOperation, bool>? isInert = null)
        where TState : class
        where TDomain : FlowDomain<TState>, ITreeDomain<TState>
    {
        var runner = new Runner<TState, TDomain>(domain, entry, isInert);
        runner.Body(StatementsOf(body)!.Value);
        return runner.GaveUp ? null : runner.Exits;
    }

    /// <summary>The statements of a method, constructor (without <c>: base(…)</c>) or top-level body with a block; null for any other body.</summary>
    internal static ImmutableArray<IOperation>? StatementsOf(IOperation body) => body switch
    {
        IMethodBodyOperation { BlockBody: { } block, ExpressionBody: null } => block.Operations,
        IConstructorBodyOperation { Initializer: null, BlockBody: { } block, ExpressionBody: null } => block.Operations,
        IBlockOperation { Parent: null } block => block.Operations,
        _ => null,
    };

    /// <summary>The condition the graph branches on, a leading <c>!</c> taken off; <paramref name="negated"/> says whether the edges swap.</summary>
    private static IOperation BranchValueOf(IOperation condition, out bool negated)
    {
        negated = false;
        while (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not, OperatorMethod: null, Operand: { Type.SpecialType: SpecialType.System_Boolean } operand })
        {
            negated = !negated;
            condition = operand;
        }

        return condition;
    }

    /// <summary>
    /// True for an operation the graph turns into branches or captures wherever it stands: conditional
    /// and null-coalescing forms, <c>switch</c> expressions, <c>&amp;&amp;</c> and <c>||</c>, deconstruction,
    /// interpolated-string handlers, <c>await</c>, <c>dynamic</c>. A walk of the tree cannot follow them.
    /// </summary>
    internal static bool SplitsInGraph(IOperation operation) => operation.Kind switch
    {
        // By kind: asked of every operation of a body, where a chain of interface tests would cost more than the walk.
        OperationKind.Conditional or OperationKind.Coalesce or OperationKind.CoalesceAssignment or OperationKind.ConditionalAccess or OperationKind.SwitchExpression => true,
        OperationKind.Binary => ((IBinaryOperation)operation).OperatorKind is BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr,
        OperationKind.InterpolatedStringHandlerCreation or OperationKind.Await or OperationKind.DeconstructionAssignment => true,
        OperationKind.DynamicInvocation or OperationKind.DynamicMemberReference or OperationKind.DynamicObjectCreation or OperationKind.DynamicIndexerAccess => true,
        _ => false,
    };

    /// <summary>The exception a <c>throw</c> statement throws (the graph's branch value); null for a rethrow.</summary>
    private static IOperation? ThrownBy(IOperation statement)
        => (statement is IExpressionStatementOperation expression ? expression.Operation : statement) is IThrowOperation thrown ? thrown.Exception : null;

    /// <summary>A statement that gives the graph no operation (an empty statement or block, declarations without values): no block of its own.</summary>
    private static bool IsVacuous(IOperation statement)
    {
        switch (statement)
        {
            case IEmptyOperation:
                return true;
            case IBlockOperation block:
                foreach (IOperation nested in block.Operations)
                {
                    if (!IsVacuous(nested))
                    {
                        return false;
                    }
                }

                return true;
            case IVariableDeclarationGroupOperation group:
                foreach (IVariableDeclarationOperation declaration in group.Declarations)
                {
                    foreach (IVariableDeclaratorOperation declarator in declaration.Declarators)
                    {
                        if (declarator.Initializer is not null)
                        {
                            return false;
                        }
                    }
                }

                return true;
            default:
                return false;
        }
    }

    private sealed class ShapeCheck(List<IOperation> returned, System.Func<ILoopOperation, bool>? isInert)
    {
        public bool Sequence(ImmutableArray<IOperation> statements, bool inTry)
        {
            foreach (IOperation statement in statements)
            {
                if (!Statement(statement, inTry))
                {
                    return false;
                }
            }

            return true;
        }

        private bool Statement(IOperation statement, bool inTry)
        {
            switch (statement)
            {
                case IBlockOperation block:
                    return Sequence(block.Operations, inTry);
                case IEmptyOperation:
                    return true;
                case IThrowOperation or IExpressionStatementOperation { Operation: IThrowOperation }:
                    return ThrownBy(statement) is { } exception && Expression(exception);
                case IExpressionStatementOperation expression:
                    return Expression(expression.Operation);
                case IVariableDeclarationGroupOperation group:
                    return Declarations(group);
                case IReturnOperation { Kind: OperationKind.Return } @return:
                    if (@return.ReturnedValue is { } value)
                    {
                        returned.Add(value);
                        return Expression(value);
                    }

                    return true;
                case IConditionalOperation { IsRef: false } conditional:
                    return Condition(conditional.Condition)
                        && !IsVacuous(conditional.WhenTrue)
                        && Statement(conditional.WhenTrue, inTry)
                        && (conditional.WhenFalse is null || (!IsVacuous(conditional.WhenFalse) && Statement(conditional.WhenFalse, inTry)))
                        && !Reorders(Completes(conditional.WhenTrue), conditional.WhenFalse is null || Completes(conditional.WhenFalse));
                case ITryOperation { Catches.IsEmpty: true, Finally: { } @finally, ExitLabel: null } @try when !inTry && !IsVacuous(@try.Body) && !IsVacuous(@finally):
                    return Sequence(@try.Body.Operations, inTry: true) && Sequence(@finally.Operations, inTry: true);
                case ILoopOperation loop:
                    return (isInert is not null && isInert(loop)) || (!inTry && Loop(loop));
                default:
                    return false;
            }
        }

        /// <summary>
        /// A loop <see cref="LoopLayout"/> lays out as the graph does: a <c>for</c> or <c>while</c> with a condition,
        /// or a <c>do</c>, without locals of its condition; its body reaches its end, holds no dead code, and
        /// nothing but statements, <c>if</c>s, <c>break</c>, <c>continue</c>, <c>return</c>, <c>throw</c> and such loops.
        /// </summary>
        private bool Loop(ILoopOperation loop) => loop switch
        {
            IForLoopOperation { Condition: { } condition, ConditionLocals.IsEmpty: true } forLoop
                => Condition(condition) && Straight(forLoop.Before) && Straight(forLoop.AtLoopBottom) && Body(forLoop),
            IWhileLoopOperation { Condition: { } condition, Locals.IsEmpty: true, ConditionIsUntil: false, IgnoredCondition: null } whileLoop
                => Condition(condition) && Body(whileLoop),
            _ => false,
        };

        /// <summary>A condition the graph branches on as the walk does: not constant (the graph folds those), kept whole.</summary>
        private static bool Condition(IOperation condition)
            => !condition.ConstantValue.HasValue && !BranchValueOf(condition, out _).ConstantValue.HasValue && Expression(condition);

        /// <summary>A <c>for</c>'s initializers and increments: expression statements and declarations.</summary>
        private bool Straight(ImmutableArray<IOperation> statements)
        {
            foreach (IOperation statement in statements)
            {
                bool straight = statement switch
                {
                    IExpressionStatementOperation { Operation: not IThrowOperation } expression => Expression(expression.Operation),
                    IVariableDeclarationGroupOperation group => Declarations(group),
                    _ => false,
                };
                if (!straight)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The graph's head of a loop whose body never falls back to it is merged with the block before: not followed.</summary>
        private bool Body(ILoopOperation loop) => InLoop(loop.Body, loop, out bool completes) && completes;

        /// <summary>A statement of a loop's body; <paramref name="completes"/> tells whether its end is reached.</summary>
        private bool InLoop(IOperation statement, ILoopOperation loop, out bool completes)
        {
            completes = false;
            switch (statement)
            {
                case IBlockOperation block:
                    return InLoop(block.Operations, loop, out completes);
                case IThrowOperation or IExpressionStatementOperation { Operation: IThrowOperation }:
                case IReturnOperation:
                    return Statement(statement, inTry: false);
                case IConditionalOperation conditional:
                    return InLoop(conditional, loop, out completes);
                case IBranchOperation { BranchKind: BranchKind.Break } branch:
                    return SymbolEqualityComparer.Default.Equals(branch.Target, loop.ExitLabel);
                case IBranchOperation { BranchKind: BranchKind.Continue } branch:
                    return SymbolEqualityComparer.Default.Equals(branch.Target, loop.ContinueLabel);
                case ILoopOperation nested:
                    // Inert or not: inside a loop it runs once per iteration, its head joining them, as on the graph.
                    completes = true;
                    return Loop(nested);
                case IEmptyOperation or IExpressionStatementOperation or IVariableDeclarationGroupOperation:
                    completes = true;
                    return Statement(statement, inTry: false);
                default:
                    return false;
            }
        }

        /// <summary>Statements in order; after one whose end is not reached, only statements that give the graph nothing.</summary>
        private bool InLoop(ImmutableArray<IOperation> statements, ILoopOperation loop, out bool completes)
        {
            completes = true;
            foreach (IOperation statement in statements)
            {
                if (IsVacuous(statement))
                {
                    continue;
                }

                if (!completes || !InLoop(statement, loop, out completes))
                {
                    return false;
                }
            }

            return true;
        }

        private bool InLoop(IConditionalOperation conditional, ILoopOperation loop, out bool completes)
        {
            completes = false;
            if (conditional.IsRef || !Condition(conditional.Condition) || IsVacuous(conditional.WhenTrue) || !InLoop(conditional.WhenTrue, loop, out bool whenTrue))
            {
                return false;
            }

            if (conditional.WhenFalse is not { } otherwise)
            {
                completes = true;
                return true;
            }

            if (IsVacuous(otherwise) || !InLoop(otherwise, loop, out bool whenFalse) || Reorders(whenTrue, whenFalse))
            {
                return false;
            }

            completes = whenTrue || whenFalse;
            return true;
        }

        /// <summary>
        /// True for an <c>if</c> whose <c>else</c> ends in a jump while its <c>then</c> goes on: the graph goes on in the
        /// <c>then</c> block, before the <c>else</c>, so its blocks (and the allocations it numbers) are no longer in the
        /// order of the statements.
        /// </summary>
        private static bool Reorders(bool whenTrueCompletes, bool whenFalseCompletes) => whenTrueCompletes && !whenFalseCompletes;

        /// <summary>Whether the end of a statement outside loops (of a shape the check passed) is reached.</summary>
        private static bool Completes(IOperation statement) => statement switch
        {
            IBlockOperation block => Completes(block.Operations),
            IReturnOperation or IThrowOperation or IExpressionStatementOperation { Operation: IThrowOperation } => false,
            IConditionalOperation { WhenFalse: { } otherwise } conditional => Completes(conditional.WhenTrue) || Completes(otherwise),
            ITryOperation @try => Completes(@try.Body.Operations),
            _ => true,
        };

        private static bool Completes(ImmutableArray<IOperation> statements)
        {
            foreach (IOperation statement in statements)
            {
                if (!Completes(statement))
                {
                    return false;
                }
            }

            return true;
        }

        private bool Declarations(IVariableDeclarationGroupOperation group)
        {
            foreach (IVariableDeclarationOperation declaration in group.Declarations)
            {
                if (declaration.Initializer is not null)
                {
                    return false;
                }

                foreach (IVariableDeclaratorOperation declarator in declaration.Declarators)
                {
                    if (declarator.Symbol.IsRef || declarator.IgnoredArguments.Length > 0 || (declarator.Initializer?.Value is { } value && !Expression(value)))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        /// <summary>True when the graph keeps <paramref name="operation"/> whole: nothing in it branches, makes a function or is split into captures.</summary>
        private static bool Expression(IOperation operation)
            => operation.All(operation, static (node, root) => !SplitsInGraph(node) && node.Kind switch
            {
                OperationKind.Throw or OperationKind.AnonymousFunction or OperationKind.LocalFunction => false,
                OperationKind.ObjectOrCollectionInitializer or OperationKind.With or OperationKind.AnonymousObjectCreation or OperationKind.Tuple => false,
                OperationKind.IsPattern => ReferenceEquals(node, root), // Whole, as a condition.
                _ => true,
            });
    }

    private sealed class Runner<TState, TDomain>(TDomain domain, TState entry, System.Func<ILoopOperation, bool>? isInert)
        where TState : class
        where TDomain : FlowDomain<TState>, ITreeDomain<TState>
    {
        private readonly List<ExitState<TState>> _exits = [];
        private TState? _state = entry;

        /// <summary>While a <c>try</c> is walked: every way out of it (a return, or the end of a path through it), waiting for its <c>finally</c>.</summary>
        private List<(TState State, SyntaxNode? Returned, bool IsReturn)>? _leavingTry;

        public void Body(ImmutableArray<IOperation> statements)
        {
            Sequence(statements, last: true);
            FallOut();
        }

        public List<ExitState<TState>> Exits => _exits;

        /// <summary>True when a loop did not settle within the graph analysis's budget: the walk has no result.</summary>
        public bool GaveUp { get; private set; }

        /// <summary>
        /// Walks <paramref name="statements"/>. When <paramref name="last"/>, a path that runs off their end
        /// leaves the function (or the <c>try</c>): in the graph each such path is an edge of its own, not a join.
        /// </summary>
        private void Sequence(ImmutableArray<IOperation> statements, bool last)
        {
            int final = statements.Length - 1;
            while (final >= 0 && IsVacuous(statements[final]))
            {
                final--;
            }

            for (int i = 0; i <= final && _state is not null && !GaveUp; i++)
            {
                // Nothing after a return or throw is reached, and the graph transfers nothing there.
                Statement(statements[i], last && i == final);
            }
        }

        private void Statement(IOperation statement, bool last)
        {
            switch (statement)
            {
                case IBlockOperation block:
                    Sequence(block.Operations, last);
                    break;
                case IThrowOperation or IExpressionStatementOperation { Operation: IThrowOperation }:
                    domain.Transfer(_state!, ThrownBy(statement)!);
                    _state = null;
                    break;
                case IExpressionStatementOperation expression:
                    _state = domain.Transfer(_state!, expression.Operation);
                    break;
                case IVariableDeclarationGroupOperation group:
                    Declare(group);
                    break;
                case IReturnOperation @return:
                    Leave(@return.ReturnedValue is { } value ? domain.Transfer(_state!, value) : _state!, @return.ReturnedValue?.Syntax, isReturn: true);
                    _state = null;
                    break;
                case IConditionalOperation conditional:
                    If(conditional, last);
                    break;
                case ITryOperation @try:
                    TryFinally(@try.Body, @try.Finally!, last);
                    break;
                case ILoopOperation loop when isInert is null || !isInert(loop):
                    Loop(loop, last);
                    break;
                case ILoopOperation:
                    // Inert (Qualifies), entered once: the graph leaves it with the state it entered with.
                    break;
            }
        }

        /// <summary>
        /// A loop's blocks run as the graph analysis runs them (<see cref="LoopFlow{TState, TDomain}"/>); a
        /// <c>for</c>'s initializer runs before, once. What leaves for what follows is joined in the order it
        /// arrives, as at the graph's block after the loop; when nothing follows (<paramref name="last"/>) each edge
        /// reaches the exit apart, as every edge out of the function does.
        /// </summary>
        private void Loop(ILoopOperation loop, bool last)
        {
            if (loop is IForLoopOperation forLoop)
            {
                foreach (IOperation statement in forLoop.Before)
                {
                    Statement(statement, last: false);
                }
            }

            List<LoopArrival<TState>>? arrivals = LoopLayout.Of(loop) is { } layout ? LoopFlow<TState, TDomain>.Run(layout, _state!, domain) : null;
            if (arrivals is null)
            {
                GaveUp = true;
                _state = null;
                return;
            }

            TState? after = null;
            Dictionary<int, int>? exitOf = null;
            foreach (LoopArrival<TState> arrival in arrivals)
            {
                if (arrival.LeavesLoop && !last)
                {
                    domain.JoinInto(ref after, arrival.State);
                }
                else
                {
                    Exit(arrival, exitOf ??= []);
                }
            }

            _state = after;
        }

        /// <summary>An edge out of the function: a new exit, or one more arrival on an edge already out, joined as the graph joins it.</summary>
        private void Exit(LoopArrival<TState> arrival, Dictionary<int, int> exitOf)
        {
            if (exitOf.TryGetValue(arrival.Edge, out int index))
            {
                _exits[index] = new ExitState<TState>(domain.Join(_exits[index].State, arrival.State), _exits[index].Returned);
            }
            else
            {
                exitOf.Add(arrival.Edge, _exits.Count);
                _exits.Add(new ExitState<TState>(arrival.State, arrival.Returned));
            }
        }

        private void Declare(IVariableDeclarationGroupOperation group)
        {
            foreach (IVariableDeclarationOperation declaration in group.Declarations)
            {
                foreach (IVariableDeclaratorOperation declarator in declaration.Declarators)
                {
                    if (declarator.Initializer?.Value is { } value)
                    {
                        _state = domain.Declare(_state!, declarator.Symbol, value);
                    }
                }
            }
        }

        /// <summary>
        /// The graph's condition block sends its false edge on before the true branch is walked; with no
        /// <c>else</c> the false edge reaches the join (or, last, the exit) first.
        /// </summary>
        private void If(IConditionalOperation conditional, bool last)
        {
            IOperation condition = BranchValueOf(conditional.Condition, out bool negated);
            TState tested = domain.Transfer(_state!, condition);
            TState? whenFalse = domain.Branch(tested, condition, negated);
            TState? whenTrue = domain.Branch(tested, condition, !negated);
            if (conditional.WhenFalse is null && last)
            {
                _state = whenFalse;
                FallOut();
            }

            _state = whenTrue;
            if (_state is not null)
            {
                Statement(conditional.WhenTrue, last);
            }

            if (last)
            {
                FallOut();
                if (conditional.WhenFalse is { } lastOtherwise && whenFalse is not null)
                {
                    _state = whenFalse;
                    Statement(lastOtherwise, last);
                    FallOut();
                }

                return;
            }

            TState? afterTrue = _state;
            if (conditional.WhenFalse is { } otherwise)
            {
                _state = whenFalse;
                if (_state is not null)
                {
                    Statement(otherwise, last);
                }

                _state = Join(afterTrue, _state);
            }
            else
            {
                _state = Join(whenFalse, afterTrue);
            }
        }

        /// <summary>
        /// The finally runs once, from the join of every way out of the try in the order they leave it;
        /// each of them then goes on from the finally's end: a return to the exit, the end of a path to
        /// what follows the try (or, last, to the exit on an edge of its own).
        /// </summary>
        private void TryFinally(IBlockOperation body, IBlockOperation @finally, bool last)
        {
            _leavingTry = [];
            Sequence(body.Operations, last: true);
            FallOut();
            List<(TState State, SyntaxNode? Returned, bool IsReturn)> leaving = _leavingTry;
            _leavingTry = null;

            foreach ((TState state, _, _) in leaving)
            {
                _state = Join(_state, state);
            }

            if (_state is null)
            {
                return;
            }

            Sequence(@finally.Operations, last: false);
            if (_state is not { } output)
            {
                return;
            }

            bool completes = false;
            foreach ((_, SyntaxNode? returned, bool isReturn) in leaving)
            {
                if (isReturn || last)
                {
                    _exits.Add(new ExitState<TState>(output, returned));
                }
                else
                {
                    completes = true;
                }
            }

            _state = completes ? output : null;
        }

        /// <summary>The path now in hand runs off the end of the function (or the try) on an edge of its own.</summary>
        private void FallOut()
        {
            if (_state is not null)
            {
                Leave(_state, returned: null, isReturn: false);
                _state = null;
            }
        }

        private void Leave(TState state, SyntaxNode? returned, bool isReturn)
        {
            if (_leavingTry is not null)
            {
                _leavingTry.Add((state, returned, isReturn));
            }
            else
            {
                _exits.Add(new ExitState<TState>(state, returned));
            }
        }

        private TState? Join(TState? left, TState? right)
            => left is null ? right : right is null ? left : domain.Join(left, right);
    }
}
