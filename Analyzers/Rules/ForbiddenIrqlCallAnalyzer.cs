using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PoolAnalyzers.Irql;

namespace PoolAnalyzers;

/// <summary>
/// POOL013: a routine called at an IRQL its IRQL attributes forbid, too high or too low, wherever the
/// IRQL engine says the caller can run (its attributes, a spin lock or raise, a DPC role, its callers).
/// </summary>
/// <remarks>
/// The runtime's routines carry <c>[IrqlRequiresMax]</c>, <c>[IrqlRequiresMin]</c> and <c>[IrqlRequires]</c>, and so
/// may the project's own methods and delegate types: a pool allocation above DISPATCH_LEVEL, a
/// <c>[IrqlRequiresMax(APC_LEVEL)]</c> helper under a spin lock, <c>KeFlushQueuedDpcs</c> in a DPC, or a
/// <c>…AtDpcLevel</c> routine at PASSIVE_LEVEL are all reported, on the called routine's name. Paged
/// pool at DISPATCH_LEVEL or above is POOL004's, not this rule's. A release of a spin lock the path does
/// not hold is not judged (that path is infeasible or belongs to a wrapper).
/// Flagged: <c>KeAcquireSpinLock(l, out old); KeFlushQueuedDpcs();</c>
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ForbiddenIrqlCallAnalyzer : IrqlRuleAnalyzer
{
    /// <summary>The POOL013 descriptor.</summary>
    public static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.ForbiddenIrqlCall,
        title: "Routine called at an IRQL its annotations forbid",
        messageFormat: "'{0}' requires {1}, but '{2}' {3}",
        category: DiagnosticCategories.Irql,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A routine's IRQL attributes (the SAL _IRQL_requires_ annotations) state the IRQLs it may be called at; calling it above its maximum or below its minimum bug-checks or corrupts state in the kernel. Call it where the IRQL allows, or move the call out of the spin-lock, raised or DPC region.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.ForbiddenIrqlCall));

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    private protected override DiagnosticDescriptor Descriptor => Rule;
}
