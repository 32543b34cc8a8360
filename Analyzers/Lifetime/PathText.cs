using System.Globalization;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Lifetime;

/// <summary>How messages name a line and a path: "line 40", "on the path where 'status != 0' (line 44) is true".</summary>
internal static class PathText
{
    private const int MaxConditionLength = 48;

    public static int LineOf(SyntaxNode node) => node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;

    public static string Line(SyntaxNode node) => LineOf(node).ToString(CultureInfo.InvariantCulture);

    /// <summary>", on the path where … is true/false", or nothing when no branch was taken.</summary>
    public static string Through(SyntaxNode? condition, bool value)
    {
        if (condition is null)
        {
            return string.Empty;
        }

        string text = condition.ToString();
        int newline = text.IndexOfAny(['\r', '\n']);
        if (newline >= 0 || text.Length > MaxConditionLength)
        {
            text = text.Substring(0, System.Math.Min(newline >= 0 ? newline : text.Length, MaxConditionLength)).TrimEnd() + "…";
        }

        return ", on the path where '" + text + "' (line " + Line(condition) + ") is " + (value ? "true" : "false");
    }
}
