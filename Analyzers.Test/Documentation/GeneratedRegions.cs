using System;

namespace PoolAnalyzers.Test.Documentation;

/// <summary>
/// A generated region of a text file: the lines between <c>&lt;!-- generated:NAME --&gt;</c> and
/// <c>&lt;!-- /generated:NAME --&gt;</c> (HTML comments, so Markdown renders nothing of them).
/// </summary>
internal static class GeneratedRegions
{
    public static string Start(string name) => $"<!-- generated:{name} -->";

    public static string End(string name) => $"<!-- /generated:{name} -->";

    public static bool Contains(string text, string name) => text.Contains(Start(name), StringComparison.Ordinal);

    /// <summary>The region wrapped in its markers, ending with a new line.</summary>
    public static string Wrap(string name, string content) => Start(name) + "\n" + content.TrimEnd('\n') + "\n" + End(name) + "\n";

    /// <summary><paramref name="text"/> with region <paramref name="name"/> replaced by <paramref name="content"/>.</summary>
    public static string Replace(string text, string name, string content, string file)
    {
        int start = text.IndexOf(Start(name), StringComparison.Ordinal);
        int end = text.IndexOf(End(name), StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            throw new InvalidOperationException(
                $"{file} has no generated region '{name}': put the lines '{Start(name)}' and '{End(name)}' where it belongs.");
        }

        int afterEnd = end + End(name).Length;
        if (afterEnd < text.Length && text[afterEnd] == '\n')
        {
            afterEnd++;
        }

        return text[..start] + Wrap(name, content) + text[afterEnd..];
    }
}
