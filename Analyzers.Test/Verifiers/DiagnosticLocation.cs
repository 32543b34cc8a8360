using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>
/// One expected location of a diagnostic: either a concrete span (1-based lines and columns
/// in <see cref="Span"/>, converted from the paste-ready form) or a reference to a
/// <c>{|#n:…|}</c> markup location that is resolved once the sources are parsed.
/// </summary>
public readonly struct DiagnosticLocation
{
    private DiagnosticLocation(FileLinePositionSpan span, bool ignoreEnd, int? markupKey)
    {
        Span = span;
        IgnoreEnd = ignoreEnd;
        MarkupKey = markupKey;
    }

    /// <summary>The span, 0-based as Roslyn reports it; an empty path means the first source of the test project.</summary>
    public FileLinePositionSpan Span { get; }

    /// <summary>True when only the start position was given (<c>WithLocation(line, column)</c>).</summary>
    public bool IgnoreEnd { get; }

    /// <summary>The markup key this location refers to, until it is resolved.</summary>
    public int? MarkupKey { get; }

    internal static DiagnosticLocation FromSpan(FileLinePositionSpan span, bool ignoreEnd) => new(span, ignoreEnd, null);

    internal static DiagnosticLocation FromMarkupKey(int key) => new(default, false, key);
}
