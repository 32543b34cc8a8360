using System;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using PoolAnalyzers.Test.Meta;

namespace PoolAnalyzers.Test.Documentation;

/// <summary>One rule as the shipped assemblies describe it: its descriptor, and whether a fixer fixes it.</summary>
internal sealed record RuleInfo(DiagnosticDescriptor Descriptor, bool HasCodeFix)
{
    public string Id => Descriptor.Id;

    public string Title => Descriptor.Title.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// The rules, read from the analyzers' descriptors and the fixers' <c>FixableDiagnosticIds</c>: the
/// single source every rule table, rule page header, package description and format command is
/// generated from.
/// </summary>
internal static class RuleCatalog
{
    /// <summary>Every rule, by ID.</summary>
    public static ImmutableArray<RuleInfo> Rules { get; } = Load();

    /// <summary>The IDs some shipped fixer fixes, in order.</summary>
    public static ImmutableArray<string> FixableIds { get; } = [.. Rules.Where(r => r.HasCodeFix).Select(r => r.Id)];

    private static ImmutableArray<RuleInfo> Load()
    {
        var fixable = ProductAssemblies.CreateCodeFixes().SelectMany(f => f.FixableDiagnosticIds).ToHashSet(StringComparer.Ordinal);
        return
        [
            .. ProductAssemblies.Descriptors()
                .Select(d => d.Descriptor)
                .DistinctBy(d => d.Id)
                .OrderBy(d => d.Id, StringComparer.Ordinal)
                .Select(d => new RuleInfo(d, fixable.Contains(d.Id))),
        ];
    }
}
