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
/// its statements walked once, in order, with the domain's own transfer, branch and join. Building the
/// graph costs more than most analyses of it (docs/irql-engine.md, "Performance").
/// </summary>
/// <remarks>
/// <para>
/// A body qualifies (<see cref="Qualifies"/>) when its statements are blocks, expression statements,
/// declarations, <c>return</c>, <c>throw</c>, <c>if</c>/<c>else</c>, and at most one level of
/// <c>try</c>/<c>finally</c> without <c>catch</c>; and when no expression branches inside (<c>?:</c>, <c>??</c>,
/// <c>?.</c>, <c>&amp;&amp;</c>, <c>||</c>, <c>switch</c>, <c>throw</c> expressions), creates a function (lambda,
/// local function) or is rewritten by the graph into captures (object and collection initializers,
/// <c>with</c>, tuples, deconstruction, interpolated-string handlers); an <c>is</c> pattern only as a whole
/// condition or value. A loop is stepped over, state unchanged, when the caller names it inert (its domain
/// must then leave every state unchanged through it on the graph too); other loops, <c>switch</c>, <c>using</c>,
/// <c>lock</c>, <c>goto</c>, <c>catch</c>, constant conditions, empty branches (where the graph folds or
/// drops blocks) and an <c>else</c> that ends in a jump while its <c>then</c> goes on (the graph then goes on
/// in the <c>then</c> block, ahead of the <c>else</c>) are left to the graph.
/// </para>
/// <para>
/// On these shapes the graph's blocks come in the order of the statements, each reached once, so one
/// walk sees every operation in the graph's order from the graph's input: joins happen where the graph
/// joins (after an <c>if</c>: the false edge first when there is no <c>else</c>), and paths that run off
/// the end of the body (or of a <c>try</c>) stay apart, one edge each, as in the graph; a condition is
/// transferred and then split by <see cref="FlowDomain{TState}.Branch"/> (a leading <c>!</c> flips the
/// edges, as the graph does), and a <c>finally</c> runs once from the join of every way out of its
/// <c>try</c>, its result continuing each of them. The tests run every body both ways and compare.
/// </para>
/// </remarks>
internal static class TreeFlow
{
    /// <summary>
    /// True when <paramref name="body"/> has a shape the walk follows exactly; <paramref name="returned"/>
    /// receives every returned value (the operations the graph makes its return branch values).
    /// </summary>
    /// <remarks>A loop qualifies only when <paramref name="isInert"/> says so: a loop the caller's domain leaves every state unchanged through, graph or not.</remarks>
    public static bool Qualifies(IOperation body, List<IOperation> returned, System.Func<ILoopOperation, bool>? isInert = null)
        => StatementsOf(body) is { } statements && new ShapeCheck(returned, isInert).Sequence(statements, inTry: false);

    /// <summary>Walks a body that <see cref="Qualifies"/>: its normal exits, in the order the graph analysis would first reach them.</summary>
    public static List<ExitState<TState>> Run<TState, TDomain>(IOperation body, TState entry, TDomain domain)
        where TState : class
        where TDomain : FlowDomain<TState>, ITreeDomain<TState>
    {
        var runner = new Runner<TState, TDomain>(domain, entry);
        runner.Body(StatementsOf(body)!.Value);
        return runner.Exits;
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
                    return !conditional.Condition.ConstantValue.HasValue
                        && !BranchValueOf(conditional.Condition, out _).ConstantValue.HasValue
                        && Expression(conditional.Condition)
                        && !IsVacuous(conditional.WhenTrue)
                        && Statement(conditional.WhenTrue, inTry)
                        && (conditional.WhenFalse is null || (!IsVacuous(conditional.WhenFalse) && Statement(conditional.WhenFalse, inTry)))
                        && !Reorders(Completes(conditional.WhenTrue), conditional.WhenFalse is null || Completes(conditional.WhenFalse));
                case ITryOperation { Catches.IsEmpty: true, Finally: { } @finally, ExitLabel: null } @try when !inTry && !IsVacuous(@try.Body) && !IsVacuous(@finally):
                    return Sequence(@try.Body.Operations, inTry: true) && Sequence(@finally.Operations, inTry: true);
                case ILoopOperation loop:
                    return isInert is not null && isInert(loop);
                default:
                    return false;
            }
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

    private sealed class Runner<TState, TDomain>(TDomain domain, TState entry)
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

            for (int i = 0; i <= final && _state is not null; i++)
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
                case ILoopOperation:
                    // Inert (Qualifies): the graph leaves it with the state it entered with.
                    break;
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
