using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PoolAnalyzers.Irql.Interprocedural;
using PoolAnalyzers.Flow;

namespace PoolAnalyzers.Irql;

/// <summary>
/// Turns a member's flow into the findings of the three IRQL rules, resolving each function's
/// IRQLs with its entry IRQL (asked for only where a finding depends on it):
/// POOL004, paged pool at DISPATCH_LEVEL or above; POOL013, any other call at an IRQL its callee's
/// attributes forbid; POOL014, a return with a spin lock held or the IRQL changed.
/// </summary>
internal static class IrqlFindings
{
    /// <summary>The property the POOL004 fix looks for: the reported argument is a pool type or flags value it may replace.</summary>
    public const string FixableArgument = "PoolArgument";

    private static readonly ImmutableDictionary<string, string?> s_fixable = ImmutableDictionary<string, string?>.Empty.Add(FixableArgument, "true");

    public static ImmutableArray<BodyFinding> Of(MemberFlow flow, IrqlEngine engine, CancellationToken cancellationToken)
    {
        ImmutableArray<BodyFinding>.Builder findings = ImmutableArray.CreateBuilder<BodyFinding>();
        foreach (FunctionFacts function in flow.Functions)
        {
            if (!function.Analyzed)
            {
                continue;
            }

            var entry = new LazyEntry(engine, function, flow, cancellationToken);
            foreach (CallFact call in function.Calls)
            {
                if (call.IsPaged)
                {
                    CheckPaged(call, function, entry, findings);
                }
                else if (call.Callee.IsIrqlRelevant && call.Callee.Contract.HasRequirement)
                {
                    CheckRequirement(call, function, entry, findings);
                }
            }

            CheckExits(function, entry, findings);
        }

        return findings.ToImmutable();
    }

    /// <summary>POOL004: the highest level at or above DISPATCH_LEVEL the call can run at.</summary>
    private static void CheckPaged(CallFact call, FunctionFacts function, LazyEntry entry, ImmutableArray<BodyFinding>.Builder findings)
    {
        if (Worst(call, IrqlLevels.DispatchOrAbove, highest: true, entry) is not { } worst)
        {
            return;
        }

        string pool = call.PagedArgument?.ToString() ?? "a paged lookaside list";
        findings.Add(new BodyFinding(
            DiagnosticIds.PagedPoolAtDispatch,
            call.PagedArgument?.GetLocation() ?? NameLocation(call.Syntax),
            [RoutineName(call), pool, FunctionNames.Display(function.Symbol), Explain(function, worst.State, worst.Level, entry)],
            call.PagedArgument is null ? ImmutableDictionary<string, string?>.Empty : s_fixable));
    }

    /// <summary>POOL013: the highest level above the callee's maximum, else the lowest below its minimum.</summary>
    private static void CheckRequirement(CallFact call, FunctionFacts function, LazyEntry entry, ImmutableArray<BodyFinding>.Builder findings)
    {
        IrqlContract contract = call.Callee.Contract;
        (CallState State, int Level)? worst =
            Worst(call, IrqlLevels.Range(contract.Max + 1, IrqlLevels.High), highest: true, entry)
            ?? Worst(call, IrqlLevels.Range(IrqlLevels.Passive, contract.Min - 1), highest: false, entry);
        if (worst is not { } found)
        {
            return;
        }

        findings.Add(new BodyFinding(
            DiagnosticIds.ForbiddenIrqlCall,
            NameLocation(call.Syntax),
            [RoutineName(call), Requirement(contract), FunctionNames.Display(function.Symbol), Explain(function, found.State, found.Level, entry)],
            ImmutableDictionary<string, string?>.Empty));
    }

    /// <summary>POOL014: each lock or IRQL change still in force at a normal exit, reported once on the call that made it.</summary>
    private static void CheckExits(FunctionFacts function, LazyEntry entry, ImmutableArray<BodyFinding>.Builder findings)
    {
        if (function.Contract.ChangesIrqlByContract)
        {
            return;
        }

        var reported = new HashSet<int>();
        foreach (ExitFact exit in function.Exits)
        {
            if (exit.Collapsed)
            {
                continue;
            }

            IrqlPath path = exit.Path;
            foreach (HeldLock held in path.Held)
            {
                if (held.Acquired.Site is { } site && reported.Add(site.SpanStart))
                {
                    string @lock = held.Lock?.Text ?? held.Handle?.Text ?? "?";
                    string clause = (held.Queued ? "acquires queued spin lock '" : "acquires spin lock '") + @lock + "', which is still held";
                    findings.Add(NotRestored(held.Acquired, clause, function, exit));
                }
            }

            if (path.Held.IsEmpty && path.Reason is { Site: { } changeSite } reason && Differs(path.Irql, entry) && reported.Add(changeSite.SpanStart))
            {
                string level = IrqlLevels.Name(IrqlLevels.Highest(path.Irql.Levels));
                string clause = reason.Kind == OriginKind.Set
                    ? "sets the IRQL to " + level + ", not the IRQL it was entered at,"
                    : "raises the IRQL to " + level + ", which is not restored";
                findings.Add(NotRestored(reason, clause, function, exit));
            }
        }
    }

    /// <summary>
    /// True when the exit IRQL differs from the entry IRQL on some path: it has levels of the function's
    /// own making (not only the entry IRQL carried through), nothing unknown, and it is not exactly the
    /// one level the function is known to be entered at.
    /// </summary>
    private static bool Differs(IrqlValue exit, LazyEntry entry)
    {
        if (exit.Levels == 0 || exit.Unknown)
        {
            return false;
        }

        ushort entered = entry.Value.Levels;
        return !(exit.EntryMask == 0 && entered != 0 && (entered & (entered - 1)) == 0 && exit.Levels == entered);
    }

    private static BodyFinding NotRestored(Origin change, string clause, FunctionFacts function, ExitFact exit)
        => new(
            DiagnosticIds.IrqlNotRestored,
            NameLocation(change.Site!),
            [change.Name, clause, FunctionNames.Display(function.Symbol), DescribePath(exit)],
            ImmutableDictionary<string, string?>.Empty);

    /// <summary>The worst level among <paramref name="levels"/> the call can run at (own levels first, then the entry's), with its path class.</summary>
    private static (CallState State, int Level)? Worst(CallFact call, ushort levels, bool highest, LazyEntry entry)
    {
        if (levels == 0)
        {
            return null;
        }

        (CallState State, int Level)? worst = null;
        foreach (CallState state in call.States)
        {
            if (!state.ChecksRequirement)
            {
                continue;
            }

            ushort own = (ushort)(state.Irql.Levels & levels);
            ushort inherited = (state.Irql.EntryMask & levels) != 0 ? (ushort)(entry.Value.Levels & state.Irql.EntryMask & levels) : (ushort)0;
            ushort possible = (ushort)(own | inherited);
            if (possible == 0)
            {
                continue;
            }

            int level = highest ? IrqlLevels.Highest(possible) : IrqlLevels.Lowest(possible);
            if (worst is null || (highest ? level > worst.Value.Level : level < worst.Value.Level))
            {
                worst = (state, level);
            }
        }

        return worst;
    }

    /// <summary>Why the function can run at <paramref name="level"/> there: <c>runs at DISPATCH_LEVEL (spin lock acquired at Send.cs:12)</c>, <c>is called at DISPATCH_LEVEL from 'SendPacket' (…)</c>.</summary>
    private static string Explain(FunctionFacts function, CallState state, int level, LazyEntry entry)
    {
        string name = IrqlLevels.Name(level);
        if ((state.Irql.Levels & IrqlLevels.Bit(level)) != 0)
        {
            return "runs at " + name + (state.Reason is null ? string.Empty : " (" + state.Reason.Describe() + ")");
        }

        return entry.Value.OriginOf(level) switch
        {
            { Kind: OriginKind.Role } role => RunsOrMay(entry, level) + name + " as a '" + role.Name + "' routine (converted at " + Origin.Cite(role.Site!) + ")",
            { Kind: OriginKind.DeferredRoutine } dpc => RunsOrMay(entry, level) + name + " as the deferred routine of a DPC (" + dpc.Name + " at " + Origin.Cite(dpc.Site!) + ")",
            { Kind: OriginKind.Caller } caller => "is called at " + name + " from " + caller.DescribeChain(),
            _ => "may run at " + name,
        };
    }

    private static string RunsOrMay(LazyEntry entry, int level) => (entry.Value.Levels & ~IrqlLevels.Bit(level)) == 0 ? "runs at " : "may run at ";

    /// <summary><c> at line 14 (on the path where 'entry == 0' is true at line 12)</c>, or less when less is known.</summary>
    private static string DescribePath(ExitFact exit)
    {
        var text = new StringBuilder();
        if (exit.ReturnStatement is { } statement)
        {
            text.Append(" at line ").Append(Line(statement));
        }

        if (!exit.Path.Steps.IsEmpty)
        {
            text.Append(" (on the path where ");
            for (int i = 0; i < exit.Path.Steps.Length; i++)
            {
                PathStep step = exit.Path.Steps[i];
                text.Append(i == 0 ? string.Empty : ", then ")
                    .Append('\'').Append(Shorten(step.Condition.ToString())).Append("' is ").Append(step.Value ? "true" : "false")
                    .Append(" at line ").Append(Line(step.Condition));
            }

            text.Append(')');
        }

        return text.ToString();
    }

    private static string Requirement(IrqlContract contract) => contract switch
    {
        { Min: var min, Max: var max } when min == max => IrqlLevels.Name(min),
        { Min: IrqlLevels.Passive } => "at most " + IrqlLevels.Name(contract.Max),
        { Max: IrqlLevels.High } => "at least " + IrqlLevels.Name(contract.Min),
        _ => IrqlLevels.Name(contract.Min) + " to " + IrqlLevels.Name(contract.Max),
    };

    private static string RoutineName(CallFact call)
        => call.Callee.Method.MethodKind == MethodKind.Constructor ? call.Callee.Method.ContainingType.Name : call.Callee.Method.Name;

    /// <summary>The called routine's name in a call (<c>Ex.ExAllocatePool</c> → <c>ExAllocatePool</c>), the type of an object creation.</summary>
    private static Location NameLocation(SyntaxNode call) => call switch
    {
        ObjectCreationExpressionSyntax creation => creation.Type.GetLocation(),
        _ => call.GetMethodNameLocation(),
    };

    private static string Line(SyntaxNode node) => (node.GetLocation().GetLineSpan().StartLinePosition.Line + 1).ToString(CultureInfo.InvariantCulture);

    private static string Shorten(string text)
    {
        text = text.Replace('\n', ' ').Replace('\r', ' ');
        return text.Length <= 40 ? text : text.Substring(0, 37) + "...";
    }

    /// <summary>A function's entry IRQL, computed (callers and all) only when a finding depends on it.</summary>
    private sealed class LazyEntry(IrqlEngine engine, FunctionFacts function, MemberFlow flow, CancellationToken cancellationToken)
    {
        private EntryIrql? _value;

        public EntryIrql Value => _value ??= engine.Entries.EntryOf(function, flow, cancellationToken);
    }
}
