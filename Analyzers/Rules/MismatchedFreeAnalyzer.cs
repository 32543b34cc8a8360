using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PoolAnalyzers;

/// <summary>
/// POOL011: a block is freed with a tag other than its allocation's, by an allocator that did not make it
/// (pool memory to <c>NativeMemory.Free</c>, a zone or a lookaside list; a lookaside entry or zone block to
/// <c>ExFreePool</c> or to another list), or twice on one path.
/// </summary>
/// <remarks>
/// The kernel bug-checks a tag mismatch (BAD_POOL_CALLER 0x0A) and a double free (0x07; Driver Verifier
/// 0xC4/0x13); a block handed to the wrong allocator corrupts it. Tags are compared when both are constants,
/// through locals and through private fields whose every allocation uses one tag; a double free is reported
/// only when every path to the second free has freed the block.
/// Flagged: <c>nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Mine"); … ExFreePoolWithTag(p, "Your");</c>
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MismatchedFreeAnalyzer : LifetimeRuleAnalyzer
{
    /// <summary>The POOL011 descriptor.</summary>
    public static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.MismatchedFree,
        title: "Mismatched or double free",
        messageFormat: "'{0}' {1}",
        category: DiagnosticCategories.Correctness,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Free a pool block once, with the tag it was allocated with, and give lookaside entries and zone blocks back to the list or zone they came from.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.MismatchedFree));

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    private protected override DiagnosticDescriptor Descriptor => Rule;
}
