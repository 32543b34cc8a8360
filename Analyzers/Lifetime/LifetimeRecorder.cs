using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PoolAnalyzers.Flow;

namespace PoolAnalyzers.Lifetime;

/// <summary>Turns what the final pass of <see cref="LifetimeDomain"/> sees into findings: unchecked uses (POOL009) and bad frees (POOL011).</summary>
internal sealed class LifetimeRecorder
{
    private readonly List<BodyFinding> _findings;
    private readonly HashSet<int> _uncheckedReported = [];

    public LifetimeRecorder(List<BodyFinding> findings, IReadOnlyList<AllocationSite> sites)
    {
        _findings = findings;
        Sites = sites;
    }

    public IReadOnlyList<AllocationSite> Sites { get; }

    public void Unchecked(AllocationSite site, BlockFacts facts, IOperation use)
    {
        if (!site.MayBeNull || !_uncheckedReported.Add(site.Number))
        {
            return;
        }

        SyntaxNode pointer = use.Syntax;
        _findings.Add(new BodyFinding(
            DiagnosticIds.UncheckedAllocation,
            pointer.GetLocation(),
            [pointer.ToString(), site.Routine.Name, PathText.Line(site.Call.Syntax), PathText.Through(facts.Step, facts.StepValue)]));
    }

    public void Free(LifetimeState state, ulong sites, IInvocationOperation free, RuntimeRoutine? routine)
    {
        bool any = false;
        bool allFreed = true;
        string? mismatch = null;
        bool allMismatched = true;
        BlockFacts? freed = null;
        foreach (AllocationSite site in Sites)
        {
            if ((sites & (1UL << site.Number)) == 0 || state.Blocks[site.Number] is not { } facts)
            {
                continue;
            }

            any = true;
            if ((facts.States & ~BlockStates.Unchecked) != BlockStates.Freed)
            {
                allFreed = false;
            }
            else
            {
                freed ??= facts;
            }

            if (allMismatched)
            {
                string? problem = Mismatch(site, free, routine);
                allMismatched = problem is not null;
                mismatch ??= problem;
            }
        }

        if (!any)
        {
            return;
        }

        if (allFreed && freed?.FreedAt is { } earlier)
        {
            _findings.Add(new BodyFinding(
                DiagnosticIds.MismatchedFree,
                free.Syntax.GetMethodNameLocation(),
                [FreeName(free, routine), "frees '" + BlockText(free, routine) + "' a second time: on this path it was already freed at line " + PathText.Line(earlier) + " (BAD_POOL_CALLER 0x07, Driver Verifier 0xC4/0x13)"]));
        }
        else if (allMismatched && mismatch is not null)
        {
            _findings.Add(new BodyFinding(DiagnosticIds.MismatchedFree, free.Syntax.GetMethodNameLocation(), [FreeName(free, routine), mismatch]));
        }
    }

    /// <summary>Why <paramref name="free"/> cannot take back a block of <paramref name="site"/>, or null when it can.</summary>
    private static string? Mismatch(AllocationSite site, IInvocationOperation free, RuntimeRoutine? routine)
    {
        if (routine is null || AllocationSite.FamilyOf(routine) != site.Family)
        {
            return "releases a block allocated by " + Allocated(site) + ", which is " + Describe(site.Family) + OwnerText(site) + ": " + Advice(site.Family);
        }

        if (site.Family != BlockFamily.Pool)
        {
            AccessPath? owner = routine.Target is { } target ? AccessPath.Of(free.GetArgument(target)?.Value) : null;
            return owner is not null && site.Owner is not null && !owner.Equals(site.Owner)
                ? "returns " + Describe(site.Family) + " '" + site.Owner + "' (allocated by " + Allocated(site) + ") to '" + owner + "': " + Advice(site.Family)
                : null;
        }

        if (routine.Tag is { } tagParameter && site.Tag is { } allocatedTag && TagValue.Of(free.GetArgument(tagParameter)?.Value) is { } freedTag and not 0 && freedTag != allocatedTag)
        {
            return "frees a block allocated by " + Allocated(site) + " with tag " + TagValue.Display(allocatedTag) + " under tag " + TagValue.Display(freedTag) + " (BAD_POOL_CALLER 0x0A)";
        }

        return null;
    }

    /// <summary>"'ExAllocatePool2' at line 40": built only for a message (finding the line costs a lookup and strings).</summary>
    private static string Allocated(AllocationSite site) => "'" + site.Routine.Name + "' at line " + PathText.Line(site.Call.Syntax);

    private static string Describe(BlockFamily family) => family switch
    {
        BlockFamily.Pool => "pool memory",
        BlockFamily.NPagedLookaside => "an entry of the nonpaged lookaside list",
        BlockFamily.PagedLookaside => "an entry of the paged lookaside list",
        BlockFamily.Zone => "a block of the zone",
        _ => "memory of another allocator",
    };

    private static string OwnerText(AllocationSite site) => site.Owner is { } owner && site.Family != BlockFamily.Pool ? " '" + owner + "'" : string.Empty;

    private static string Advice(BlockFamily family) => family switch
    {
        BlockFamily.Pool => "free it with ExFreePoolWithTag, ExFreePool2 or ExFreePool",
        BlockFamily.NPagedLookaside => "give it back with ExFreeToNPagedLookasideList on the list it came from",
        BlockFamily.PagedLookaside => "give it back with ExFreeToPagedLookasideList on the list it came from",
        BlockFamily.Zone => "give it back with ExFreeToZone or ExInterlockedFreeToZone on the zone it came from",
        _ => "free it with the allocator that made it",
    };

    private static string FreeName(IInvocationOperation free, RuntimeRoutine? routine)
        => routine?.Name ?? free.TargetMethod.ContainingType.Name + "." + free.TargetMethod.Name;

    private static string? BlockText(IInvocationOperation free, RuntimeRoutine? routine)
    {
        if (routine?.Block is { } block)
        {
            return free.GetArgument(block)?.Value.Syntax.ToString();
        }

        foreach (IArgumentOperation argument in free.Arguments)
        {
            if (PointerApis.CarriesAddress(argument.Parameter))
            {
                return argument.Value.Syntax.ToString();
            }
        }

        return null;
    }

    public static ImmutableArray<string> LeakArguments(AllocationSite site, BlockFacts facts, ExitState<LifetimeState> exit, ISymbol function)
    {
        string returns = exit.Returned is { } returned ? " at line " + PathText.Line(returned) : string.Empty;
        string name = function is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction } && !function.DeclaringSyntaxReferences.IsEmpty
            ? "the lambda at line " + PathText.Line(function.DeclaringSyntaxReferences[0].GetSyntax())
            : "'" + function.Name + "'";
        return [site.Routine.Name, PathText.Line(site.Call.Syntax), name, returns + PathText.Through(facts.Step, facts.StepValue)];
    }
}
