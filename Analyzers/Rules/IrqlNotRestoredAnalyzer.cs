using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PoolAnalyzers.Irql;

namespace PoolAnalyzers;

/// <summary>
/// POOL014: a method returns, on some path, with a spin lock it acquired still held or with the IRQL
/// changed from the one it was entered at, and its attributes do not say it raises or saves.
/// </summary>
/// <remarks>
/// A routine that leaves the IRQL raised, or a lock held, leaves its caller running at DISPATCH_LEVEL
/// without knowing it (C28167); a DPC routine must return at DISPATCH_LEVEL (IRQL_UNEXPECTED_VALUE 0xC8).
/// The finding is on the acquire or raise whose effect is still in force, and the message gives the
/// return and the conditions of the path. Wrappers annotated <c>[IrqlRaises]</c>, or with an
/// <c>[IrqlSaves]</c> / <c>[IrqlRestores]</c> parameter or return value, are meant to return that way.
/// Flagged: <c>KeAcquireSpinLock(l, out old); if (full) return false; … KeReleaseSpinLock(l, old);</c>
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class IrqlNotRestoredAnalyzer : IrqlRuleAnalyzer
{
    /// <summary>The POOL014 descriptor.</summary>
    public static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.IrqlNotRestored,
        title: "IRQL not restored or spin lock still held when the method returns",
        messageFormat: "'{0}' {1} when '{2}' returns{3}",
        category: DiagnosticCategories.Irql,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A method must release every spin lock it acquires and restore the IRQL it raised before it returns, on every path, unless it is annotated to raise ([IrqlRaises]) or to save or restore an IRQL through a parameter ([IrqlSaves], [IrqlRestores]). Release in a finally block or before each early return.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.IrqlNotRestored));

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    private protected override DiagnosticDescriptor Descriptor => Rule;
}
