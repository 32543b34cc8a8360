using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PoolAnalyzers.Flow;

namespace PoolAnalyzers.Irql;

/// <summary>
/// Computes the <see cref="MemberFlow"/> of a member body. A body in which nothing can change the IRQL
/// (no raise, lower, spin lock, IRQL query, or call to a method that may change it) runs at its entry
/// IRQL everywhere, so its calls are read from its body scan (walked only when it holds a function of its
/// own); those that change it in a straight line are walked (<see cref="StructuredWalk"/>); only the
/// others pay for a control-flow graph (<see cref="FlowGraphs"/>) and a fixed point.
/// </summary>
internal static class MemberFlowBuilder
{
    public static MemberFlow Build(ISymbol member, IOperation body, IIrqlContext context, CancellationToken cancellationToken)
    {
        var nested = new List<FunctionFacts>();
        FunctionFacts facts;
        if (!NeedsGraph(body, context))
        {
            facts = Scanned(body, member, context) is { } scanned
                ? (WalkCheck.CompareWithGraph ? ComparedWithWalk(scanned, body, member, context) : scanned)
                : Straight(body, member, FunctionKind.Member, body.Syntax, nested, context);
        }
        else if (StructuredWalk.TryAnalyze(member, body, context) is { } walked)
        {
            facts = WalkCheck.CompareWithGraph ? Compared(walked, member, body, context, cancellationToken) : walked;
        }
        else
        {
            facts = FlowGraphs.Of(body, cancellationToken) is { } graph
                ? AnalyzeGraph(graph, member, FunctionKind.Member, body.Syntax, nested, EmptyExits, BodyScan.HasLambdas(body), context, cancellationToken)
                : Straight(body, member, FunctionKind.Member, body.Syntax, nested, context);
        }

        nested.Insert(0, facts);
        return new MemberFlow(member, [.. nested]);
    }

    /// <summary>The tests' check of <see cref="StructuredWalk"/>: the same body analyzed on its graph must give the same facts.</summary>
    private static FunctionFacts Compared(FunctionFacts walked, ISymbol member, IOperation body, IIrqlContext context, CancellationToken cancellationToken)
    {
        ControlFlowGraph graph = FlowGraphs.Of(body, cancellationToken)!;
        FunctionFacts graphed = AnalyzeGraph(graph, member, FunctionKind.Member, body.Syntax, [], EmptyExits, hasLambdas: false, context, cancellationToken);
        return FactsDifference.Of(walked, graphed) is { } difference
            ? throw new System.InvalidOperationException("The structured walk of '" + member.Name + "' differs from its graph: " + difference)
            : walked;
    }

    /// <summary>The tests' check of <see cref="Scanned"/>: walking the same body must record the same facts.</summary>
    private static FunctionFacts ComparedWithWalk(FunctionFacts scanned, IOperation body, ISymbol member, IIrqlContext context)
    {
        FunctionFacts walked = Straight(body, member, FunctionKind.Member, body.Syntax, [], context);
        return FactsDifference.Of(scanned, walked) is { } difference
            ? throw new System.InvalidOperationException("The scanned facts of '" + member.Name + "' differ from its walk: " + difference)
            : scanned;
    }

    /// <summary>No local functions: a member body walked on its own.</summary>
    internal static readonly IReadOnlyDictionary<IMethodSymbol, IrqlValue> EmptyExits = new Dictionary<IMethodSymbol, IrqlValue>(SymbolEqualityComparer.Default);

    /// <summary>True when something in the body (nested functions included) may change the IRQL, hold a lock or test the IRQL.</summary>
    private static bool NeedsGraph(IOperation body, IIrqlContext context)
    {
        foreach (IOperation operation in BodyScan.Of(body))
        {
            if (IsStateful(operation, context))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when <paramref name="operation"/> is a call or object creation that may change the IRQL, take or release a lock, or test the IRQL.</summary>
    public static bool IsStateful(IOperation operation, IIrqlContext context)
    {
        IMethodSymbol? target = operation.Kind switch
        {
            OperationKind.Invocation => ((IInvocationOperation)operation).TargetMethod.OriginalDefinition,
            OperationKind.ObjectCreation => ((IObjectCreationOperation)operation).Constructor?.OriginalDefinition,
            _ => null,
        };
        if (target is null)
        {
            return false;
        }

        Callee callee = context.CalleeOf(target);
        bool dispatched = operation is IInvocationOperation invocation && IrqlDomain.IsDispatched(invocation, target);
        return callee.ChangesState || callee.QueriesIrql || ((dispatched || (callee.HasSourceBody && !callee.Contract.RequiresSame)) && context.MayChangeIrql(target));
    }

    private static FunctionFacts AnalyzeGraph(
        ControlFlowGraph graph,
        ISymbol symbol,
        FunctionKind kind,
        SyntaxNode declaration,
        List<FunctionFacts> nested,
        IReadOnlyDictionary<IMethodSymbol, IrqlValue> outerExits,
        bool hasLambdas,
        IIrqlContext context,
        CancellationToken cancellationToken)
    {
        // Local functions first: calls to them apply their exit IRQL.
        var localExits = new Dictionary<IMethodSymbol, IrqlValue>(SymbolEqualityComparer.Default);
        foreach (KeyValuePair<IMethodSymbol, IrqlValue> outer in outerExits)
        {
            localExits[outer.Key] = outer.Value;
        }

        foreach (IMethodSymbol localFunction in graph.LocalFunctions)
        {
            SyntaxNode localDeclaration = localFunction.DeclaringSyntaxReferences.Length > 0 ? localFunction.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) : declaration;
            FunctionFacts local = AnalyzeGraph(graph.GetLocalFunctionControlFlowGraph(localFunction, cancellationToken), localFunction, FunctionKind.LocalFunction, localDeclaration, nested, localExits, hasLambdas, context, cancellationToken);
            nested.Add(local);
            if (local.Analyzed)
            {
                localExits[localFunction] = local.ExitValue;
            }
        }

        // Recorded during the fixed-point run; recorded again only when a loop or late join revisited a block.
        var recorder = new FunctionRecorder();
        var domain = new IrqlDomain(context, localExits) { Recorder = recorder };
        FlowResult<IrqlState>? result = ForwardFlow.Run(graph, IrqlState.Entry, domain, cancellationToken);
        IrqlContract contract = context.ContractOf(symbol);
        FunctionFacts facts;
        if (result is null)
        {
            facts = new FunctionFacts(symbol, kind, declaration, contract, [], [], [], IrqlValue.Unknowable, analyzed: false);
        }
        else
        {
            if (!result.SettledInOnePass)
            {
                recorder = new FunctionRecorder();
                domain.Recorder = recorder;
                result.Replay(domain);
            }

            ImmutableArray<ExitFact>.Builder exits = ImmutableArray.CreateBuilder<ExitFact>();
            IrqlValue? exitValue = null;
            foreach (ExitEdge<IrqlState> edge in result.Exits)
            {
                foreach (IrqlPath path in edge.State.Paths)
                {
                    exits.Add(new ExitFact(path, ReturnStatementOf(edge), edge.State.Collapsed));
                    exitValue = exitValue is { } known ? known.Union(path.Irql) : path.Irql;
                }
            }

            facts = new FunctionFacts(symbol, kind, declaration, contract, recorder.Calls(), recorder.Conversions(), exits.ToImmutable(), exitValue ?? IrqlValue.Entry, analyzed: true);
        }

        if (!hasLambdas)
        {
            // Nothing to look for: the walk below visits every operation of the graph again.
            return facts;
        }

        foreach (BasicBlock block in graph.Blocks)
        {
            foreach (IOperation operation in block.Operations)
            {
                AnalyzeLambdas(graph, operation, nested, localExits, context, cancellationToken);
            }

            if (block.BranchValue is { } branchValue)
            {
                AnalyzeLambdas(graph, branchValue, nested, localExits, context, cancellationToken);
            }
        }

        return facts;
    }

    private static SyntaxNode? ReturnStatementOf(ExitEdge<IrqlState> edge)
        => edge.ReturnedValue?.Syntax is { } returned ? (SyntaxNode?)returned.FirstAncestorOrSelf<ReturnStatementSyntax>() ?? returned : null;

    private static void AnalyzeLambdas(ControlFlowGraph graph, IOperation operation, List<FunctionFacts> nested, IReadOnlyDictionary<IMethodSymbol, IrqlValue> localExits, IIrqlContext context, CancellationToken cancellationToken)
    {
        foreach (IOperation descendant in operation.DescendantsAndSelf())
        {
            if (descendant is IFlowAnonymousFunctionOperation lambda)
            {
                nested.Add(AnalyzeGraph(graph.GetAnonymousFunctionControlFlowGraph(lambda, cancellationToken), lambda.Symbol, FunctionKind.Lambda, lambda.Syntax, nested, localExits, hasLambdas: true, context, cancellationToken));
            }
        }
    }

    /// <summary>
    /// A body that cannot change the IRQL and has no function inside: its calls and conversions, read from the
    /// operations <see cref="BodyScan"/> already found, each at the entry IRQL (what <see cref="Straight"/>
    /// records, without walking the body again). Null when the body holds a lambda or local function.
    /// </summary>
    private static FunctionFacts? Scanned(IOperation body, ISymbol member, IIrqlContext context)
    {
        var recorder = new FunctionRecorder();
        var domain = new IrqlDomain(context, EmptyExits) { Recorder = recorder };
        foreach (IOperation operation in BodyScan.Of(body))
        {
            if (operation.Kind is OperationKind.AnonymousFunction or OperationKind.LocalFunction)
            {
                return null;
            }

            domain.RecordInPlace(IrqlPath.Start, operation);
        }

        return AtEntry(member, FunctionKind.Member, body.Syntax, recorder, context);
    }

    /// <summary>A body that cannot change the IRQL: every call runs at the entry IRQL, and so does every exit.</summary>
    private static FunctionFacts Straight(IOperation body, ISymbol symbol, FunctionKind kind, SyntaxNode declaration, List<FunctionFacts> nested, IIrqlContext context)
    {
        var recorder = new FunctionRecorder();
        var domain = new IrqlDomain(context, EmptyExits) { Recorder = recorder };
        domain.Walk(IrqlPath.Start, body);
        FunctionFacts facts = AtEntry(symbol, kind, declaration, recorder, context);
        AddNested(body, nested, context);
        return facts;
    }

    /// <summary>The facts of a function that runs at its entry IRQL throughout: what it recorded, and one exit at the entry IRQL.</summary>
    private static FunctionFacts AtEntry(ISymbol symbol, FunctionKind kind, SyntaxNode declaration, FunctionRecorder recorder, IIrqlContext context)
        => new(symbol, kind, declaration, context.ContractOf(symbol), recorder.Calls(), recorder.Conversions(), [new ExitFact(IrqlPath.Start, null, collapsed: false)], IrqlValue.Entry, analyzed: true);

    private static void AddNested(IOperation operation, List<FunctionFacts> nested, IIrqlContext context)
    {
        foreach (IOperation child in operation.ChildOperations)
        {
            switch (child)
            {
                case IAnonymousFunctionOperation lambda:
                    nested.Add(Straight(lambda.Body, lambda.Symbol, FunctionKind.Lambda, lambda.Syntax, nested, context));
                    break;
                case ILocalFunctionOperation { Body: { } localBody } localFunction:
                    nested.Add(Straight(localBody, localFunction.Symbol, FunctionKind.LocalFunction, localFunction.Syntax, nested, context));
                    break;
                default:
                    AddNested(child, nested, context);
                    break;
            }
        }
    }
}
