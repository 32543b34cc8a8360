using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;
using PoolAnalyzers.Flow;

namespace PoolAnalyzers.Irql;

/// <summary>
/// The IRQL facts of a member body whose IRQL changes can be followed without a control-flow graph:
/// walked once, statement by statement, with the transfer functions the graph analysis uses. Building a
/// graph is the largest single cost of the IRQL rules (docs/irql-engine.md, "Performance"), and most
/// bodies that raise or lock do it in a straight line: take the lock, do the work, release it.
/// </summary>
/// <remarks>
/// <para>
/// A body qualifies when every statement that changes the IRQL (a raise, lower, spin lock, or a call that
/// may change it) stands in the body's own statement list, or in a <c>finally</c> whose <c>try</c> changes
/// nothing, and has no branch inside it; and when every other statement, however it branches or loops,
/// changes nothing the analysis follows. On such a statement every path through it sees the state it
/// started with, so one walk records each call at the state the graph would give it. What could make
/// the two differ is refused: conditions a path knows the value of (a <c>bool</c> read, a constant
/// condition, an IRQL test), writes to a saved IRQL or a <c>bool</c>, implicit calls a graph adds
/// (<c>foreach</c> over anything but an array, <c>using</c>, <c>lock</c>, deconstruction), <c>goto</c>,
/// lambdas and local functions. A quiet statement is not walked again for its calls: they are read from
/// the body scan and recorded at the state the statement starts with (the tests walk it as well and
/// check that the walk leaves the state unchanged).
/// </para>
/// <para>
/// Paths through the branches of a statement are told apart in POOL014's message ("on the path where
/// …"), which only a graph knows. Those steps are kept only while a lock is held or the IRQL is
/// changed, so a function every exit of which is clean gives the same facts either way; one that can
/// leave with a lock held or an IRQL change in force is left to the graph, which reports it. Anything
/// refused returns null, and the caller builds the graph.
/// </para>
/// <para>
/// The tests run every body both ways and compare the facts (<see cref="WalkCheck"/>, <see cref="FactsDifference"/>).
/// </para>
/// </remarks>
internal static class StructuredWalk
{
    /// <summary>The facts of <paramref name="body"/>, or null when its shape needs the graph.</summary>
    public static FunctionFacts? TryAnalyze(ISymbol member, IOperation body, IIrqlContext context)
    {
        if (TreeFlow.StatementsOf(body) is not { } statements || !Supported(body, context))
        {
            return null;
        }

        var recorder = new FunctionRecorder();
        var walker = new Walker(new IrqlDomain(context, MemberFlowBuilder.EmptyExits) { Recorder = recorder }, context, body);
        if (!walker.Run(statements))
        {
            return null;
        }

        ImmutableArray<ExitFact>.Builder exits = ImmutableArray.CreateBuilder<ExitFact>(walker.Exits.Count);
        IrqlValue? exitValue = null;
        foreach ((IrqlState state, SyntaxNode? returned) in walker.Exits)
        {
            if (state.Collapsed)
            {
                return null;
            }

            foreach (IrqlPath path in state.Paths)
            {
                if (!path.IsClean)
                {
                    // POOL014 reports this exit with the path that reaches it: the graph's to tell.
                    return null;
                }

                exits.Add(new ExitFact(path, returned, collapsed: false));
                exitValue = exitValue is { } known ? known.Union(path.Irql) : path.Irql;
            }
        }

        return new FunctionFacts(member, FunctionKind.Member, body.Syntax, context.ContractOf(member), recorder.Calls(), recorder.Conversions(), exits.ToImmutable(), exitValue ?? IrqlValue.Entry, analyzed: true);
    }

    /// <summary>No lambda or local function (functions of their own), and no IRQL test (which narrows the IRQL on each branch).</summary>
    private static bool Supported(IOperation body, IIrqlContext context)
    {
        foreach (IOperation operation in BodyScan.Of(body))
        {
            switch (operation)
            {
                case IAnonymousFunctionOperation or ILocalFunctionOperation:
                case IInvocationOperation invocation when context.CalleeOf(invocation.TargetMethod.OriginalDefinition).QueriesIrql:
                    return false;
            }
        }

        return true;
    }

    private sealed class Walker(IrqlDomain domain, IIrqlContext context, IOperation body)
    {
        private IrqlState? _state = IrqlState.Entry;

        /// <summary>The body's deciding operations (<see cref="BodyScan"/>), in tree order: a quiet statement's calls are recorded from them.</summary>
        private readonly ImmutableArray<IOperation> _scanned = BodyScan.Of(body);

        /// <summary>Where in <see cref="_scanned"/> the next quiet statement's operations are looked for: statements come in source order.</summary>
        private int _nextScanned;

        /// <summary>The stateful calls and creations of the body (see <see cref="IsQuiet"/>), found on first use.</summary>
        private List<IOperation>? _stateful;

        /// <summary>The returns of the quiet statement last walked (<see cref="QuietWalk"/>).</summary>
        private readonly List<IReturnOperation> _returns = [];

        /// <summary>The state at each normal exit, with its <c>return</c> statement (null for the end of the body or a <c>return;</c>).</summary>
        public List<(IrqlState State, SyntaxNode? Return)> Exits { get; } = [];

        public bool Run(ImmutableArray<IOperation> statements)
        {
            if (!Sequence(statements))
            {
                return false;
            }

            if (_state is not null)
            {
                Exits.Add((_state, null));
            }

            return true;
        }

        private bool Sequence(ImmutableArray<IOperation> statements)
        {
            foreach (IOperation statement in statements)
            {
                if (_state is null)
                {
                    // Nothing after a return or throw is reached (and a graph records nothing there).
                    return true;
                }

                if (!Statement(statement))
                {
                    return false;
                }
            }

            return true;
        }

        private bool Statement(IOperation statement)
        {
            switch (statement)
            {
                case IBlockOperation block:
                    return Sequence(block.Operations);
                case IEmptyOperation:
                    return true;
                case IExpressionStatementOperation { Operation: IThrowOperation { Exception: var thrown } } when Straight(statement):
                    if (thrown is not null)
                    {
                        // Walked for the calls it makes; nothing comes after it.
                        domain.Transfer(_state!, thrown);
                    }

                    _state = null;
                    return true;
                case IExpressionStatementOperation expression when Straight(expression):
                    _state = domain.Transfer(_state!, expression.Operation);
                    return true;
                case IVariableDeclarationGroupOperation group when Straight(group):
                    return Declare(group);
                case IReturnOperation { Kind: OperationKind.Return } returned when Straight(returned):
                    _state = returned.ReturnedValue is { } value ? domain.Transfer(_state!, value) : _state;
                    Exits.Add((_state!, ReturnSyntax(returned)));
                    _state = null;
                    return true;
                case ITryOperation { Catches.IsEmpty: true, Finally: { } @finally } tryFinally when !IsQuiet(@finally):
                    return TryFinally(tryFinally.Body, @finally);
                default:
                    return Quietly(statement);
            }
        }

        /// <summary>Each declarator as the graph sees it: an assignment to the new local.</summary>
        private bool Declare(IVariableDeclarationGroupOperation group)
        {
            foreach (IVariableDeclarationOperation declaration in group.Declarations)
            {
                if (declaration.Initializer is not null)
                {
                    return false;
                }

                foreach (IVariableDeclaratorOperation declarator in declaration.Declarators)
                {
                    if (declarator.Initializer?.Value is not { } value)
                    {
                        continue;
                    }

                    // A constant stored in an IRQL variable is cited by the assignment's syntax, which only the graph has.
                    if (declarator.Symbol.IsRef || (value.ConstantValue.HasValue && IrqlDomain.IsIrqlType(declarator.Symbol.Type)))
                    {
                        return false;
                    }

                    _state = _state!.Map(static (path, step) => step.Domain.Declare(path, step.Declarator, step.Value), (Domain: domain, Declarator: declarator, Value: value));
                    if (_state is null)
                    {
                        return true;
                    }
                }
            }

            return true;
        }

        /// <summary><c>try { nothing that changes the IRQL } finally { the release }</c>: every way out of the <c>try</c> runs the <c>finally</c> from the state the <c>try</c> began with.</summary>
        private bool TryFinally(IBlockOperation body, IBlockOperation @finally)
        {
            IrqlState before = _state!;
            if (!IsQuiet(body) || !QuietWalk(body, before))
            {
                return false;
            }

            // The finally's own quiet statements collect theirs in the same list.
            IReturnOperation[] returns = [.. _returns];
            if (!Sequence(@finally.Operations))
            {
                return false;
            }

            if (_state is not null)
            {
                foreach (IReturnOperation returned in returns)
                {
                    Exits.Add((_state, ReturnSyntax(returned)));
                }
            }

            if (EndsAbruptly(body))
            {
                _state = null;
            }

            return true;
        }

        /// <summary>A statement that changes nothing the analysis follows, however it branches: walked once at the state it starts with.</summary>
        private bool Quietly(IOperation statement)
        {
            IrqlState before = _state!;
            if (!IsQuiet(statement) || !QuietWalk(statement, before))
            {
                return false;
            }

            foreach (IReturnOperation returned in _returns)
            {
                Exits.Add((before, ReturnSyntax(returned)));
            }

            if (EndsAbruptly(statement))
            {
                _state = null;
            }

            return true;
        }

        /// <summary>Walks a quiet statement, checking that nothing in it could make its paths differ; its returns are collected in <see cref="_returns"/>.</summary>
        private bool QuietWalk(IOperation statement, IrqlState state)
        {
            _returns.Clear();
            foreach (IrqlPath path in state.Paths)
            {
                if (!path.Facts.IsEmpty)
                {
                    return false;
                }
            }

            if (!BranchesAlike(statement, state, _returns))
            {
                return false;
            }

            return RecordQuiet(statement, state);
        }

        /// <summary>
        /// Records a quiet statement's calls, creations and conversions at <paramref name="state"/>, read from the
        /// body scan instead of walking the statement again: nothing in it can change the state (<see cref="IsQuiet"/>,
        /// <see cref="BranchesAlike"/>), so the walk would record each of them at the state the statement starts with.
        /// </summary>
        private bool RecordQuiet(IOperation statement, IrqlState state)
        {
            // Full spans: a node's is its position and width, where its span is computed from its first token.
            TextSpan span = statement.Syntax.FullSpan;
            int first = _nextScanned;
            while (first < _scanned.Length && _scanned[first].Syntax.FullSpan.Start < span.Start)
            {
                first++;
            }

            int end = first;
            int conversions = 0;
            while (end < _scanned.Length && span.Contains(_scanned[end].Syntax.FullSpan))
            {
                conversions += _scanned[end].Kind == OperationKind.DelegateCreation ? 1 : 0;
                end++;
            }

            if (conversions > 1)
            {
                // Conversions are kept in the walk's order, which the scan's tree order may not be: walked.
                return ReferenceEquals(domain.Transfer(state, statement), state);
            }

            if (WalkCheck.CompareWithGraph && !Unchanged(statement, state))
            {
                throw new System.InvalidOperationException("The quiet statement at " + statement.Syntax.GetLocation().GetLineSpan() + " changed the IRQL state.");
            }

            _nextScanned = end;
            foreach (IrqlPath path in state.Paths)
            {
                for (int i = first; i < end; i++)
                {
                    domain.RecordInPlace(path, _scanned[i]);
                }
            }

            return true;
        }

        /// <summary>The tests' check of <see cref="RecordQuiet"/>: walking the statement leaves the state unchanged, to the object.</summary>
        private bool Unchanged(IOperation statement, IrqlState state)
        {
            FunctionRecorder? recorder = domain.Recorder;
            domain.Recorder = null;
            try
            {
                return ReferenceEquals(domain.Transfer(state, statement), state);
            }
            finally
            {
                domain.Recorder = recorder;
            }
        }

        /// <summary>True when no branch of <paramref name="operation"/> can see or leave a state different from the others'.</summary>
        private static bool BranchesAlike(IOperation operation, IrqlState state, List<IReturnOperation> returns)
            => operation.All((State: state, Returns: returns), static (node, walk) => BranchAlike(node, walk.State, walk.Returns));

        private static bool BranchAlike(IOperation node, IrqlState state, List<IReturnOperation> returns)
        {
            // By kind first: a chain of interface tests on every operation of every quiet statement costs more than the walk.
            bool refused = node.Kind switch
            {
                OperationKind.Return => Collect(returns, (IReturnOperation)node),
                OperationKind.YieldReturn or OperationKind.YieldBreak or OperationKind.Labeled => true,
                OperationKind.Using or OperationKind.UsingDeclaration or OperationKind.Lock or OperationKind.Switch => true,
                OperationKind.DeconstructionAssignment or OperationKind.RecursivePattern or OperationKind.Await or OperationKind.InterpolatedStringHandlerCreation => true,
                OperationKind.DynamicInvocation or OperationKind.DynamicMemberReference or OperationKind.DynamicObjectCreation or OperationKind.DynamicIndexerAccess => true,
                OperationKind.Branch => ((IBranchOperation)node).BranchKind == BranchKind.GoTo,
                OperationKind.CatchClause => ((ICatchClauseOperation)node).Filter is not null,
                OperationKind.Loop => node switch
                {
                    IForEachLoopOperation { Collection: var collection } => Unconverted(collection).Type is not IArrayTypeSymbol,
                    IWhileLoopOperation { Condition: null or { ConstantValue.HasValue: true } } => true,
                    IForLoopOperation { Condition: null or { ConstantValue.HasValue: true } } => true,
                    _ => false,
                },
                OperationKind.LocalReference or OperationKind.ParameterReference => node.Type?.SpecialType == SpecialType.System_Boolean,
                OperationKind.VariableDeclarator => Followed(((IVariableDeclaratorOperation)node).Symbol.Type),
                OperationKind.SimpleAssignment or OperationKind.CompoundAssignment or OperationKind.CoalesceAssignment or OperationKind.Increment or OperationKind.Decrement
                    => !Unfollowed(IrqlDomain.First(node), state),
                OperationKind.Argument => ((IArgumentOperation)node) is { Parameter.RefKind: RefKind.Out or RefKind.Ref, Value: var written } && !Unfollowed(written, state),
                _ => false,
            };

            // A constant condition the graph folds (a returned true or false splits nothing).
            return !refused && !(node.Kind != OperationKind.Return && node.ConstantValue is { HasValue: true, Value: bool } && node.Parent is not IReturnOperation);
        }

        /// <summary>A return inside a quiet statement: kept, for the exit it makes; no reason to refuse.</summary>
        private static bool Collect(List<IReturnOperation> returns, IReturnOperation returned)
        {
            returns.Add(returned);
            return false;
        }

        /// <summary>True when a write to <paramref name="target"/> touches nothing a path follows: not an IRQL or <c>bool</c> variable, not a saved IRQL.</summary>
        private static bool Unfollowed(IOperation? target, IrqlState state)
        {
            if (target is null || Followed(target.Type))
            {
                return false;
            }

            if (!AnySaved(state) || AccessPath.Of(target) is not { } slot)
            {
                return true;
            }

            foreach (IrqlPath path in state.Paths)
            {
                if (path.SavedIn(slot) is not null)
                {
                    return false;
                }
            }

            return true;
        }

        private static bool AnySaved(IrqlState state)
        {
            foreach (IrqlPath path in state.Paths)
            {
                if (!path.Saved.IsEmpty)
                {
                    return true;
                }
            }

            return false;
        }

        private static bool Followed(ITypeSymbol? type) => type is null || type.SpecialType == SpecialType.System_Boolean || IrqlDomain.IsIrqlType(type);

        /// <summary>True when nothing in <paramref name="operation"/> may change the IRQL, take or release a lock, or test the IRQL.</summary>
        /// <remarks>
        /// Only calls and creations can (<see cref="MemberFlowBuilder.IsStateful"/>), and the body scan lists
        /// them all: a statement (or block) is quiet when none of the stateful ones lies within its syntax,
        /// where a walk per statement would read nested statements again at each level. Lambdas, whose
        /// operations lie within a statement's syntax without being its own, never get here (<see cref="Supported"/>).
        /// </remarks>
        private bool IsQuiet(IOperation operation)
        {
            if (_stateful is null)
            {
                _stateful = [];
                foreach (IOperation found in _scanned)
                {
                    if (MemberFlowBuilder.IsStateful(found, context))
                    {
                        _stateful.Add(found);
                    }
                }
            }

            TextSpan span = operation.Syntax.FullSpan;
            foreach (IOperation stateful in _stateful)
            {
                if (span.Contains(stateful.Syntax.FullSpan))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>True when <paramref name="statement"/> runs straight through: no branch of any kind inside it.</summary>
        private static bool Straight(IOperation statement) => statement.All(statement, static (node, statement) => !TreeFlow.SplitsInGraph(node) && node.Kind switch
        {
            OperationKind.IsPattern or OperationKind.Throw when !ReferenceEquals(node.Parent, statement) => false,
            _ => true,
        });

        private static bool EndsAbruptly(IOperation statement) => statement switch
        {
            IReturnOperation or IExpressionStatementOperation { Operation: IThrowOperation } => true,
            IBlockOperation block => block.Operations.Length > 0 && EndsAbruptly(block.Operations[block.Operations.Length - 1]),
            IConditionalOperation { WhenFalse: { } whenFalse } conditional => EndsAbruptly(conditional.WhenTrue) && EndsAbruptly(whenFalse),
            ITryOperation tryOperation => EndsAbruptly(tryOperation.Body) && AllEndAbruptly(tryOperation.Catches),
            _ => false,
        };

        private static bool AllEndAbruptly(ImmutableArray<ICatchClauseOperation> catches)
        {
            foreach (ICatchClauseOperation clause in catches)
            {
                if (!EndsAbruptly(clause.Handler))
                {
                    return false;
                }
            }

            return true;
        }

        private static SyntaxNode? ReturnSyntax(IReturnOperation returned)
            => returned.ReturnedValue is { Syntax: var value } ? (SyntaxNode?)value.FirstAncestorOrSelf<ReturnStatementSyntax>() ?? value : null;

        private static IOperation Unconverted(IOperation operation)
        {
            while (operation is IConversionOperation { IsImplicit: true } conversion)
            {
                operation = conversion.Operand;
            }

            return operation;
        }
    }
}
