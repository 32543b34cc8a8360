using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PoolAnalyzers;

/// <summary>
/// POOL009: the result of an allocation that can return NULL is used (dereferenced, wrapped in a span,
/// handed to a memory routine) on a path where it was not compared with zero.
/// </summary>
/// <remarks>
/// Every pool allocation returns NULL on failure unless its constant type or flags make it raise
/// (<c>POOL_RAISE_IF_ALLOCATION_FAILURE</c>, <c>POOL_FLAG_RAISE_ON_FAILURE</c>, the quota routines without
/// <c>POOL_QUOTA_FAIL_INSTEAD_OF_RAISE</c>); lookaside and zone allocations return NULL when the pool or the
/// zone is exhausted. Writing through NULL is a bug check (C6011, C28193, C6387). Returning or storing the
/// unchecked value is not a use: the caller or the reader checks it. <c>Debug.Assert</c> is not a check: it
/// is compiled out of release builds.
/// Flagged: <c>nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1"); *(int*)p = 0;</c>
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UncheckedAllocationAnalyzer : LifetimeRuleAnalyzer
{
    /// <summary>The POOL009 descriptor.</summary>
    public static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.UncheckedAllocation,
        title: "Pool allocation result used without a NULL check",
        messageFormat: "'{0}' can be NULL here: '{1}' at line {2} returns NULL when it fails, and its result is used without a NULL check{3}",
        category: DiagnosticCategories.Correctness,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Pool, lookaside and zone allocations return NULL when they fail (unless the constant pool type or flags make them raise). Compare the result with zero and handle the failure before reading or writing the memory.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.UncheckedAllocation));

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    private protected override DiagnosticDescriptor Descriptor => Rule;
}
