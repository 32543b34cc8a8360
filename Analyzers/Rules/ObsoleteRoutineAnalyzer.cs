using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers;

/// <summary>
/// POOL012: calls to, and method-group references of, the routines the WDK lists as obsolete with a
/// replacement (<see cref="RoutineTraits.Obsolete"/> rows): the zone routines, which lookaside lists
/// replace, and <c>MmIsThisAnNtAsSystem</c>, which a version query replaces.
/// </summary>
/// <remarks>
/// Info by default: the routines still work, and the runtime emulates them faithfully. A zone is a
/// fixed set of blocks carved from caller-provided segments that never shrink; a lookaside list
/// allocates from pool on a miss, caches freed entries up to a depth the kernel tunes, and needs no
/// lock of the caller's. The message names the lookaside routine that takes over where there is one
/// (<see cref="RuntimeRoutine.Replacement"/>). No fix: moving to a lookaside list changes the
/// structure, its initialization and its teardown.
/// Flagged: <c>ExInitializeZone(zone, 64, segment, 4096)</c>
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ObsoleteRoutineAnalyzer : PoolAnalyzer
{
    /// <summary>The POOL012 descriptor.</summary>
    public static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.ObsoleteRoutine,
        title: "Obsolete routine with a replacement",
        messageFormat: "'{0}' is obsolete: {1}",
        category: DiagnosticCategories.Obsolete,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "Zones are obsolete: lookaside lists replace them, growing from pool on demand and giving memory back as the kernel tunes their depth. MmIsThisAnNtAsSystem is obsolete since Windows XP: query the product type with a version query.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.ObsoleteRoutine));

    private const string Zones = "zones are replaced by lookaside lists";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    private protected override void RegisterActions(RuleActions context, RuntimeSymbols symbols)
    {
        context.RegisterOperationAction(c => Report(c, symbols, ((IInvocationOperation)c.Operation).TargetMethod), OperationKind.Invocation);
        context.RegisterOperationAction(c => Report(c, symbols, ((IMethodReferenceOperation)c.Operation).Method), OperationKind.MethodReference);
    }

    private static void Report(OperationAnalysisContext context, RuntimeSymbols symbols, IMethodSymbol method)
    {
        if (symbols.Classify(method) is not { } routine || !routine.Has(RoutineTraits.Obsolete) || context.Operation.IsInsideNameOf())
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(Rule, context.Operation.Syntax.GetMethodNameLocation(), method.Name, Advice(routine)));
    }

    /// <summary>What replaces the routine, by what it does.</summary>
    private static string Advice(RuntimeRoutine routine) => (routine.Kind, routine.Replacement) switch
    {
        (RoutineKind.ZoneInitialize, { } replacement) => $"{Zones}; initialize one with '{replacement}' (or its paged twin) instead",
        (RoutineKind.ZoneAllocate, { } replacement) => $"{Zones}; take an entry with '{replacement}' instead",
        (RoutineKind.ZoneFree, { } replacement) => $"{Zones}; return the entry with '{replacement}' instead",
        (RoutineKind.ZoneExtend, _) => $"{Zones}, which allocate from pool when they run dry instead of being extended",
        (RoutineKind.ZoneInitialize or RoutineKind.ZoneAllocate or RoutineKind.ZoneFree or RoutineKind.ZoneQuery, _) => $"{Zones}, which never run dry and have no segments to inspect",
        _ => "since Windows XP a version query replaces it; read the product type from RtlGetVersion's wProductType (in this runtime, KernelSystem.Current.Configuration.ProductType)",
    };
}
