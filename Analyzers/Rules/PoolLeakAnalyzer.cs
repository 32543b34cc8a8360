using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PoolAnalyzers;

/// <summary>
/// POOL010: a block allocated into locals reaches a return of the method on some path without being freed,
/// returned, stored (field, element, <c>out</c>/<c>ref</c>, capture) or passed to another method.
/// </summary>
/// <remarks>
/// Pool memory is never collected: a block the driver forgets stays allocated until the machine restarts,
/// and Driver Verifier stops the unload (0xC4/0x62). The classic case is an error path that returns
/// before the free (C6014). The path where the allocation returned NULL holds nothing; an exception is
/// followed only through <c>finally</c>; a block handed to another method belongs to that method.
/// Flagged: <c>nint p = ExAllocatePoolWithTag(…); if (p == 0) return; if (!Fill(p)) return; ExFreePoolWithTag(p, …);</c>
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PoolLeakAnalyzer : LifetimeRuleAnalyzer
{
    /// <summary>The POOL010 descriptor.</summary>
    public static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.PoolLeak,
        title: "Pool allocation leaked on some path",
        messageFormat: "The block '{0}' allocates at line {1} is not freed, returned or stored when {2} returns{3}",
        category: DiagnosticCategories.Correctness,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A block allocated into locals must be freed, returned, stored or handed to another method on every path that leaves the method; otherwise it stays allocated for good. Free it before each early return, or in a finally block.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.PoolLeak));

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    private protected override DiagnosticDescriptor Descriptor => Rule;
}
