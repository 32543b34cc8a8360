using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PoolAnalyzers.Flow;

namespace PoolAnalyzers.Lifetime;

/// <summary>
/// The pointer-lifetime analysis of one compilation, shared by POOL009, POOL010 and POOL011: each member
/// body is analyzed once, whichever rule asks first, on the forward data-flow framework of
/// <see cref="ForwardFlow"/> with <see cref="LifetimeDomain"/>. Only bodies that call a routine handing out
/// a block (or free a field) pay for anything beyond one walk of their operations; only bodies that
/// allocate into something the function keeps (not straight into a return, field or property) are
/// analyzed, and of those only the ones <see cref="TreeFlow"/> cannot follow (<c>foreach</c>, <c>switch</c>,
/// <c>catch</c>, short-circuit conditions, lambdas…) pay for a control-flow graph.
/// </summary>
/// <remarks>
/// The analysis is within one function: a block handed to another method changes owner (silence), a block
/// a helper returns is that helper's business. Lambdas and local functions are analyzed as functions of
/// their own.
/// </remarks>
internal sealed class LifetimeAnalysis
{
    private static readonly ConditionalWeakTable<Compilation, LifetimeAnalysis> s_analyses = new();

    private readonly RuntimeSymbols _symbols;
    private readonly FieldTags _fieldTags;
    private readonly BodyFindings _findings = new();

    private LifetimeAnalysis(RuntimeSymbols symbols)
    {
        _symbols = symbols;
        _fieldTags = new FieldTags(symbols);
    }

    /// <summary>The analysis of <paramref name="compilation"/>, created by the first rule that asks.</summary>
    public static LifetimeAnalysis For(Compilation compilation, RuntimeSymbols symbols) => s_analyses.GetValue(compilation, _ => new LifetimeAnalysis(symbols));

    /// <summary>The findings of the three rules in <paramref name="member"/>'s body.</summary>
    public ImmutableArray<BodyFinding> FindingsOf(ISymbol member, IOperation body, CancellationToken cancellationToken)
    {
        if (_findings.TryGet(body, out ImmutableArray<BodyFinding> known))
        {
            return known;
        }

        ImmutableArray<BodyFinding> findings = Analyze(member, body, out bool flowed, cancellationToken);
        return flowed ? _findings.Keep(body, findings) : _findings.Remember(body, findings);
    }

    /// <summary>The findings in <paramref name="body"/>; <paramref name="flowed"/> tells whether its flow was analyzed (the expensive case).</summary>
    private ImmutableArray<BodyFinding> Analyze(ISymbol member, IOperation body, out bool flowed, CancellationToken cancellationToken)
    {
        flowed = false;
        bool allocates = false;
        List<BodyFinding>? findings = null; // Most bodies find nothing: nothing allocated for them.
        HashSet<ILocalSymbol>? untracked = null;
        foreach (IOperation operation in BodyScan.Of(body))
        {
            switch (operation)
            {
                case IInvocationOperation invocation when _symbols.Classify(invocation.TargetMethod) is { } routine:
                    allocates |= routine.ReturnsBlock && !LeavesAtOnce(invocation);
                    if (routine.Kind == RoutineKind.Free)
                    {
                        _fieldTags.CheckFieldFree(invocation, routine, findings ??= [], cancellationToken);
                    }

                    break;
                case IAnonymousFunctionOperation lambda:
                    Captured(lambda.Body, lambda.Symbol, untracked ??= NewLocalSet());
                    break;
                case ILocalFunctionOperation localFunction:
                    Captured(localFunction, localFunction.Symbol, untracked ??= NewLocalSet());
                    break;
                case IAddressOfOperation { Reference: ILocalReferenceOperation local }:
                    (untracked ??= NewLocalSet()).Add(local.Local);
                    break;
            }
        }

        if (!allocates)
        {
            return findings is null ? [] : [.. findings];
        }

        untracked ??= NewLocalSet();
        findings ??= [];

        var returned = new List<IOperation>();
        var loops = new InertLoops(body, _symbols);
        int before = findings.Count;

        // The shape check asked about every loop it met, and the first one asked finds them all; a body it passed without asking has none.
        if (TreeFlow.Qualifies(body, returned, loops.Contains) && AnalyzeTree(body, member, returned, untracked, loops, findings))
        {
            flowed = true;
            if (WalkCheck.CompareWithGraph)
            {
                CompareWithGraph(member, body, untracked, loops.Found, findings.GetRange(before, findings.Count - before), cancellationToken);
            }
        }
        else if (FlowGraphs.Of(body, cancellationToken) is { } graph)
        {
            flowed = true;
            AnalyzeGraph(graph, member, untracked, loops.All(), findings, cancellationToken);
        }

        return [.. findings];
    }

    private static HashSet<ILocalSymbol> NewLocalSet() => new(SymbolEqualityComparer.Default);

    /// <summary>The tests' check of <see cref="TreeFlow"/>: the same body analyzed on its graph must give the same findings.</summary>
    private void CompareWithGraph(ISymbol member, IOperation body, HashSet<ILocalSymbol> untracked, HashSet<SyntaxNode>? inertLoops, List<BodyFinding> walked, CancellationToken cancellationToken)
    {
        var graphed = new List<BodyFinding>();
        if (FlowGraphs.Of(body, cancellationToken) is { } graph)
        {
            AnalyzeGraph(graph, member, untracked, inertLoops, graphed, cancellationToken);
        }

        WalkCheck.Compare(member, walked, graphed);
    }

    /// <summary>
    /// A body whose shape <see cref="TreeFlow"/> follows: the same analysis as on its graph, without building one.
    /// False, with nothing added, when a loop did not settle within the graph analysis's budget.
    /// </summary>
    private bool AnalyzeTree(IOperation body, ISymbol function, List<IOperation> returned, HashSet<ILocalSymbol> untracked, InertLoops loops, List<BodyFinding> findings)
    {
        var sites = new Dictionary<IInvocationOperation, AllocationSite>();
        var ordered = new List<AllocationSite>();
        foreach (IOperation operation in BodyScan.Of(body))
        {
            if (operation is IInvocationOperation invocation)
            {
                AddSite(invocation, sites, ordered);
            }
        }

        if (ordered.Count is 0 or > LifetimeState.MaxSites)
        {
            return true;
        }

        var recorded = new List<BodyFinding>();
        var domain = new LifetimeDomain(_symbols, function, sites, new HashSet<IOperation>(returned), untracked) { Recorder = new LifetimeRecorder(recorded, ordered), InertLoops = loops.Found };
        if (TreeFlow.Run<LifetimeState, LifetimeDomain>(body, LifetimeState.Entry(ordered.Count), domain, loops.Contains) is not { } exits)
        {
            return false;
        }

        findings.AddRange(recorded);
        ReportLeaks(exits, domain, ordered, function, findings);
        return true;
    }

    /// <summary>
    /// True when the block goes straight out of the function's hands: returned, or stored in a field or
    /// property. Nothing can then be said about it here (returning or storing is neither a use nor a
    /// leak), so such a call alone does not make the body worth a control-flow graph.
    /// </summary>
    private static bool LeavesAtOnce(IOperation call)
    {
        IOperation value = call;
        while (value.Parent is IConversionOperation conversion)
        {
            value = conversion;
        }

        return value.Parent switch
        {
            IReturnOperation => true,
            ISimpleAssignmentOperation { Target: IFieldReferenceOperation or IPropertyReferenceOperation } assignment => assignment.Value == value,
            _ => false,
        };
    }

    private void AnalyzeGraph(ControlFlowGraph graph, ISymbol function, HashSet<ILocalSymbol> untracked, HashSet<SyntaxNode>? inertLoops, List<BodyFinding> findings, CancellationToken cancellationToken)
    {
        foreach (IMethodSymbol localFunction in graph.LocalFunctions)
        {
            AnalyzeGraph(graph.GetLocalFunctionControlFlowGraph(localFunction, cancellationToken), localFunction, untracked, inertLoops, findings, cancellationToken);
        }

        var sites = new Dictionary<IInvocationOperation, AllocationSite>();
        var ordered = new List<AllocationSite>();
        var returned = new HashSet<IOperation>();
        foreach (BasicBlock block in graph.Blocks)
        {
            foreach (IOperation operation in block.Operations)
            {
                Collect(graph, operation, sites, ordered, untracked, inertLoops, findings, cancellationToken);
            }

            if (block.BranchValue is { } branchValue)
            {
                Collect(graph, branchValue, sites, ordered, untracked, inertLoops, findings, cancellationToken);
                if (block.ConditionKind == ControlFlowConditionKind.None && block.FallThroughSuccessor?.Semantics == ControlFlowBranchSemantics.Return)
                {
                    returned.Add(branchValue);
                }
            }
        }

        if (ordered.Count is 0 or > LifetimeState.MaxSites)
        {
            return;
        }

        // Recorded during the fixed-point run; recorded again only when a loop or late join revisited a block.
        var recorded = new List<BodyFinding>();
        var domain = new LifetimeDomain(_symbols, function, sites, returned, untracked) { Recorder = new LifetimeRecorder(recorded, ordered), InertLoops = inertLoops };
        if (ForwardFlow.Run(graph, LifetimeState.Entry(ordered.Count), domain, cancellationToken) is not { } result)
        {
            return;
        }

        if (!result.SettledInOnePass)
        {
            recorded.Clear();
            domain.Recorder = new LifetimeRecorder(recorded, ordered);
            result.Replay(domain);
        }

        findings.AddRange(recorded);
        var exits = new List<ExitState<LifetimeState>>(result.Exits.Length);
        foreach (ExitEdge<LifetimeState> exit in result.Exits)
        {
            exits.Add(new ExitState<LifetimeState>(exit.State, exit.ReturnedValue?.Syntax));
        }

        ReportLeaks(exits, domain, ordered, function, findings);
    }

    private static void ReportLeaks(List<ExitState<LifetimeState>> exits, LifetimeDomain domain, List<AllocationSite> sites, ISymbol function, List<BodyFinding> findings)
    {
        bool[] reported = new bool[sites.Count];
        foreach (ExitState<LifetimeState> exit in exits)
        {
            foreach (AllocationSite site in sites)
            {
                if (reported[site.Number] || exit.State.Blocks[site.Number] is not { } facts || !facts.MayBe(BlockStates.Held) || facts.Opaque)
                {
                    continue;
                }

                // Allocated on some paths only and released on others: the paths may be correlated in ways the analysis cannot see.
                if (facts.Conditional && domain.Released[site.Number])
                {
                    continue;
                }

                reported[site.Number] = true;
                findings.Add(new BodyFinding(DiagnosticIds.PoolLeak, site.Call.Syntax.GetMethodNameLocation(), LifetimeRecorder.LeakArguments(site, facts, exit, function)));
            }
        }
    }

    /// <summary>Numbers the allocation calls of a function in operation order; analyzes the lambdas it contains.</summary>
    /// <remarks>Recursion over ChildOperations (a struct enumerator): <c>DescendantsAndSelf()</c> would allocate an iterator and its stack for every operation of every graph.</remarks>
    private void Collect(ControlFlowGraph graph, IOperation operation, Dictionary<IInvocationOperation, AllocationSite> sites, List<AllocationSite> ordered, HashSet<ILocalSymbol> untracked, HashSet<SyntaxNode>? inertLoops, List<BodyFinding> findings, CancellationToken cancellationToken)
    {
        if (operation is IFlowAnonymousFunctionOperation lambda)
        {
            AnalyzeGraph(graph.GetAnonymousFunctionControlFlowGraph(lambda, cancellationToken), lambda.Symbol, untracked, inertLoops, findings, cancellationToken);
        }
        else if (operation is IInvocationOperation invocation)
        {
            AddSite(invocation, sites, ordered);
        }

        foreach (IOperation child in operation.ChildOperations)
        {
            Collect(graph, child, sites, ordered, untracked, inertLoops, findings, cancellationToken);
        }
    }

    /// <summary>Numbers <paramref name="invocation"/> as the next allocation site when it hands out a block.</summary>
    private void AddSite(IInvocationOperation invocation, Dictionary<IInvocationOperation, AllocationSite> sites, List<AllocationSite> ordered)
    {
        if (_symbols.Classify(invocation.TargetMethod) is { ReturnsBlock: true } routine && !sites.ContainsKey(invocation))
        {
            var site = new AllocationSite(ordered.Count, invocation, routine, MayBeNull(invocation, routine), TagOf(invocation, routine), OwnerOf(invocation, routine));
            sites.Add(invocation, site);
            ordered.Add(site);
        }
    }

    private static bool MayBeNull(IInvocationOperation call, RuntimeRoutine routine)
    {
        string? decisive = routine.PoolFlags ?? routine.PoolType;
        long? constant = decisive is null ? null : call.GetArgument(decisive)?.Value.GetFoldedConstant() is { HasValue: true } folded ? OperationExtensions.AsInt64(folded.Value) : null;

        // Unknown (a pool type held in a variable): the call may raise, so stay silent.
        return routine.RaisesOnFailure(constant) == false;
    }

    private static uint? TagOf(IInvocationOperation call, RuntimeRoutine routine)
        => routine.Kind != RoutineKind.Allocate ? null
            : routine.Tag is { } tag ? TagValue.Of(call.GetArgument(tag)?.Value)
            : TagValue.None;

    private static AccessPath? OwnerOf(IInvocationOperation call, RuntimeRoutine routine)
        => routine.Target is { } target ? AccessPath.Of(call.GetArgument(target)?.Value) : null;

    /// <summary>Locals of an enclosing function that <paramref name="function"/> reads or writes: never holders.</summary>
    private static void Captured(IOperation? body, ISymbol function, HashSet<ILocalSymbol> untracked)
    {
        if (body is null)
        {
            return;
        }

        foreach (IOperation operation in body.Descendants())
        {
            if (operation is ILocalReferenceOperation local && !SymbolEqualityComparer.Default.Equals(local.Local.ContainingSymbol, function))
            {
                untracked.Add(local.Local);
            }
        }
    }
}
