using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>One marked span of a markup source.</summary>
/// <param name="DiagnosticId">The ID of <c>{|ID:…|}</c>; null for <c>[|…|]</c> and for location keys.</param>
/// <param name="LocationKey">The key of <c>{|#n:…|}</c>; null otherwise.</param>
/// <param name="Span">The span in the plain text.</param>
internal readonly record struct MarkupSpan(string? DiagnosticId, int? LocationKey, TextSpan Span)
{
    public bool IsDiagnostic => LocationKey is null;
}

/// <summary>
/// Test markup: <c>[|…|]</c> marks a diagnostic of the analyzer's only descriptor,
/// <c>{|POOL001:…|}</c> a diagnostic by ID, <c>{|#0:…|}</c> a location referenced by
/// <c>WithLocation(0)</c>. Markers nest; anything else is plain C#.
/// </summary>
internal static class TestMarkup
{
    public static (string Text, ImmutableArray<MarkupSpan> Spans) Parse(string markup, string path)
    {
        var text = new StringBuilder(markup.Length);
        var spans = ImmutableArray.CreateBuilder<MarkupSpan>();
        var open = new Stack<(char Closer, string? Id, int? Key, int Start, int MarkupOffset)>();
        int i = 0;
        while (i < markup.Length)
        {
            if (StartsWith(markup, i, "[|"))
            {
                open.Push((']', null, null, text.Length, i));
                i += 2;
            }
            else if (StartsWith(markup, i, "{|"))
            {
                int colon = markup.IndexOf(':', i + 2);
                string label = colon < 0 ? string.Empty : markup.Substring(i + 2, colon - i - 2);
                if (label.StartsWith('#') && int.TryParse(label.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out int key))
                {
                    open.Push(('}', null, key, text.Length, i));
                }
                else if (label.Length > 0 && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
                {
                    open.Push(('}', label, null, text.Length, i));
                }
                else
                {
                    throw Error(markup, path, i, "'{|' must be followed by a diagnostic ID and ':' ({|POOL001:…|}) or a location key ({|#0:…|})");
                }

                i = colon + 1;
            }
            else if (StartsWith(markup, i, "|]") || StartsWith(markup, i, "|}"))
            {
                char closer = markup[i + 1];
                if (open.Count == 0 || open.Peek().Closer != closer)
                {
                    throw Error(markup, path, i, $"'|{closer}' does not close the innermost open marker");
                }

                var marker = open.Pop();
                spans.Add(new MarkupSpan(marker.Id, marker.Key, TextSpan.FromBounds(marker.Start, text.Length)));
                i += 2;
            }
            else
            {
                text.Append(markup[i]);
                i++;
            }
        }

        if (open.Count > 0)
        {
            throw Error(markup, path, open.Peek().MarkupOffset, "marker is never closed");
        }

        return (text.ToString(), spans.ToImmutable());
    }

    /// <summary>Renders <paramref name="text"/> with each diagnostic wrapped in <c>{|ID:…|}</c>.</summary>
    public static string Render(string text, IEnumerable<Diagnostic> diagnostics)
    {
        // Outer spans first, so that at one position the markers nest properly.
        var spans = diagnostics
            .Where(d => d.Location.IsInSource)
            .Select(d => (d.Id, Span: d.Location.SourceSpan))
            .OrderBy(d => d.Span.Start)
            .ThenByDescending(d => d.Span.End)
            .ToList();
        var output = new StringBuilder(text.Length + (spans.Count * 12));
        var open = new Stack<int>();
        int next = 0;
        for (int position = 0; position <= text.Length; position++)
        {
            while (open.Count > 0 && open.Peek() == position)
            {
                output.Append("|}");
                open.Pop();
            }

            while (next < spans.Count && spans[next].Span.Start == position)
            {
                output.Append("{|").Append(spans[next].Id).Append(':');
                if (spans[next].Span.IsEmpty)
                {
                    output.Append("|}");
                }
                else
                {
                    open.Push(spans[next].Span.End);
                }

                next++;
            }

            if (position < text.Length)
            {
                output.Append(text[position]);
            }
        }

        return output.ToString();
    }

    private static bool StartsWith(string text, int index, string value) =>
        string.CompareOrdinal(text, index, value, 0, value.Length) == 0;

    private static ArgumentException Error(string markup, string path, int offset, string problem)
    {
        var position = SourceText.From(markup).Lines.GetLinePosition(offset);
        return new ArgumentException($"Invalid test markup in {path}({position.Line + 1},{position.Character + 1}): {problem}.");
    }
}
