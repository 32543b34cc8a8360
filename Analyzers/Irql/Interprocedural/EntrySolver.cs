using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Irql.Interprocedural;

/// <summary>
/// The entry IRQL of every function, as CodeQL's IrqlTooHigh computes it: a function's own requirement
/// attributes if it has them; otherwise the union, over the places that give it an entry IRQL, of the
/// IRQL there: each direct call (resolved with the caller's own entry IRQL, to a fixed point through
/// chains and cycles of callers) and each conversion to a delegate type with IRQL attributes (a DPC routine).
/// Lambdas have only conversions; local functions have the calls and conversions in their member.
/// </summary>
/// <remarks>
/// The fixed point is computed in rounds over the set of functions whose entry depends on one another,
/// each round reading only the previous round's values, so every level keeps the reason of the
/// shortest chain that gave it, whatever order the functions were asked for in. A solved entry is kept on
/// the function's facts (<see cref="FunctionFacts.Entry"/>), not in a table of the solver's: one that held
/// every function asked about grew with the project, and each lookup cost more as it did.
/// </remarks>
internal sealed class EntrySolver(IrqlEngine engine)
{
    public EntryIrql EntryOf(FunctionFacts function, MemberFlow flow, CancellationToken cancellationToken)
    {
        if (function.Entry is { } known)
        {
            return known;
        }

        if (function.Contract.StatesEntry)
        {
            // Its attributes say it all: no caller is asked (what the rounds below would find at once).
            var stated = EntryIrql.Stated(function.Contract, function.Declaration);
            function.Entry = stated;
            return stated;
        }

        // The functions whose entry this one's depends on.
        var closure = new List<(FunctionFacts Function, MemberFlow Flow, IReadOnlyList<CallSite> Sites)>();
        var members = new HashSet<FunctionFacts>();
        var pending = new Stack<(FunctionFacts, MemberFlow)>();
        pending.Push((function, flow));
        while (pending.Count > 0)
        {
            (FunctionFacts next, MemberFlow nextFlow) = pending.Pop();
            if (next.Entry is not null || !members.Add(next))
            {
                continue;
            }

            IReadOnlyList<CallSite> sites = next.Contract.StatesEntry ? [] : SitesOf(next, nextFlow, cancellationToken);
            closure.Add((next, nextFlow, sites));
            foreach (CallSite site in sites)
            {
                if (site.DependsOnEntry)
                {
                    pending.Push((site.Function, site.Flow));
                }
            }
        }

        closure.Sort((left, right) => CompareDeclarations(left.Function, right.Function));
        var current = new Dictionary<FunctionFacts, EntryIrql>();
        foreach ((FunctionFacts node, _, _) in closure)
        {
            current[node] = node.Contract.StatesEntry ? EntryIrql.Stated(node.Contract, node.Declaration) : EntryIrql.None;
        }

        bool changed = true;
        for (int round = 0; changed && round <= (closure.Count * (IrqlLevels.High + 1)) + 1; round++)
        {
            changed = false;
            var next = new Dictionary<FunctionFacts, EntryIrql>(current);
            foreach ((FunctionFacts node, _, IReadOnlyList<CallSite> sites) in closure)
            {
                EntryIrql entry = current[node];
                foreach (CallSite site in sites)
                {
                    entry = Contribute(entry, site, current);
                }

                if (entry.Levels != current[node].Levels)
                {
                    changed = true;
                }

                next[node] = entry;
            }

            current = next;
        }

        foreach (KeyValuePair<FunctionFacts, EntryIrql> entry in current)
        {
            entry.Key.Entry = entry.Value;
        }

        return function.Entry!;
    }

    private EntryIrql Contribute(EntryIrql entry, CallSite site, Dictionary<FunctionFacts, EntryIrql> current)
    {
        if (site.Conversion is { } conversion)
        {
            Origin role = conversion.DpcInitializer is { } initializer
                ? Origin.DeferredRoutine(conversion.Syntax, initializer)
                : Origin.Role(conversion.Syntax, conversion.DelegateType.Name);
            for (int level = 0; level <= IrqlLevels.High; level++)
            {
                if ((conversion.Contract.EntryLevels & IrqlLevels.Bit(level)) != 0)
                {
                    entry = entry.With(level, role);
                }
            }

            return entry;
        }

        EntryIrql caller = site.Function.Entry is { } final ? final
            : current.TryGetValue(site.Function, out EntryIrql? provisional) ? provisional
            : site.Function.Contract.StatesEntry ? EntryIrql.Stated(site.Function.Contract, site.Function.Declaration)
            : EntryIrql.None;
        string callerName = FunctionNames.Display(site.Function.Symbol);
        foreach (CallState state in site.Call!.States)
        {
            ushort levels = state.Irql.Resolve(caller.Levels);
            for (int level = 0; level <= IrqlLevels.High; level++)
            {
                ushort bit = IrqlLevels.Bit(level);
                if ((levels & bit) == 0 || (entry.Levels & bit) != 0)
                {
                    continue;
                }

                Origin? why = (state.Irql.Levels & bit) != 0 ? state.Reason : caller.OriginOf(level);
                entry = entry.With(level, Origin.Caller(site.Syntax, callerName, why));
            }
        }

        return entry;
    }

    private IReadOnlyList<CallSite> SitesOf(FunctionFacts function, MemberFlow flow, CancellationToken cancellationToken)
    {
        if (function.Kind == FunctionKind.Member)
        {
            return function.Symbol is IMethodSymbol method ? engine.Callers.SitesOf(method, cancellationToken) : [];
        }

        var sites = new List<CallSite>();
        foreach (FunctionFacts other in flow.Functions)
        {
            if (function.Kind == FunctionKind.LocalFunction)
            {
                foreach (CallFact call in other.Calls)
                {
                    if (SymbolEqualityComparer.Default.Equals(call.Callee.Method, function.Symbol))
                    {
                        sites.Add(new CallSite(flow, other, call));
                    }
                }
            }

            foreach (ConversionFact conversion in other.Conversions)
            {
                if (ReferenceEquals(flow.FunctionOf(conversion.Target), function))
                {
                    sites.Add(new CallSite(flow, other, conversion));
                }
            }
        }

        sites.Sort(CallSite.Compare);
        return sites;
    }

    private static int CompareDeclarations(FunctionFacts left, FunctionFacts right)
    {
        int byFile = string.CompareOrdinal(left.Declaration.SyntaxTree.FilePath, right.Declaration.SyntaxTree.FilePath);
        return byFile != 0 ? byFile : left.Declaration.SpanStart.CompareTo(right.Declaration.SpanStart);
    }
}
