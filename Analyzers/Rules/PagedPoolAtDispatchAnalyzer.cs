using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PoolAnalyzers.Irql;

namespace PoolAnalyzers;

/// <summary>
/// POOL004: paged pool allocated, or a paged lookaside list used, where the IRQL can be DISPATCH_LEVEL
/// or higher: by the function's own attributes, under a spin lock or a raise, in a DPC routine, or in a
/// helper some caller runs there.
/// </summary>
/// <remarks>
/// Paged memory can fault, and a page fault at DISPATCH_LEVEL or above bug-checks the machine; the
/// kernel allows paged allocations only at IRQL ≤ APC_LEVEL (BAD_POOL_CALLER 0x08). The pool type is
/// decided from its constant value exactly (<c>(type &amp; 1) != 0</c>; <c>POOL_FLAG_PAGED</c> alone among
/// the pool flags), so nonpaged requests are never flagged. The IRQL comes from the IRQL engine
/// (<see cref="IrqlEngine"/>); across calls the finding is on the allocation inside the helper and the
/// message names the chain of callers.
/// Flagged: <c>KeAcquireSpinLock(l, out old); ExAllocatePoolWithTag(PagedPool, 64, "Fred");</c>
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PagedPoolAtDispatchAnalyzer : IrqlRuleAnalyzer
{
    /// <summary>The property set on diagnostics whose pool type or flags argument the code fix may replace.</summary>
    public const string PoolTypeArgumentProperty = IrqlFindings.FixableArgument;

    /// <summary>The POOL004 descriptor.</summary>
    public static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.PagedPoolAtDispatch,
        title: "Paged pool used where the IRQL can be DISPATCH_LEVEL or higher",
        messageFormat: "'{0}' uses paged pool ({1}) in '{2}', which {3}; paged pool is only usable at or below APC_LEVEL",
        category: DiagnosticCategories.Irql,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Paged pool may be paged out, and touching it at DISPATCH_LEVEL or above bug-checks. Allocate nonpaged pool (NonPagedPoolNx, POOL_FLAG_NON_PAGED) or use a nonpaged lookaside list in code that runs at DISPATCH_LEVEL or higher: under a spin lock, after KeRaiseIrql, in a DPC or timer routine, or in a helper called from there.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.PagedPoolAtDispatch));

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    private protected override DiagnosticDescriptor Descriptor => Rule;
}
