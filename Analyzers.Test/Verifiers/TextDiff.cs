using System;
using System.Collections.Generic;
using System.Text;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>A line-based unified diff (longest common subsequence), for fixed-source mismatches.</summary>
internal static class TextDiff
{
    private const int Context = 3;

    public static string Unified(string expected, string actual, string path)
    {
        string[] a = SplitLines(expected);
        string[] b = SplitLines(actual);
        var edits = Edits(a, b);
        var output = new StringBuilder();
        output.Append("--- expected ").AppendLine(path).Append("+++ actual ").AppendLine(path);
        int i = 0;
        while (i < edits.Count)
        {
            if (edits[i].Kind == ' ')
            {
                i++;
                continue;
            }

            int start = Math.Max(0, i - Context);
            int end = i;
            // Extend the hunk while changes are closer than two contexts apart.
            while (end < edits.Count)
            {
                int nextChange = end;
                while (nextChange < edits.Count && edits[nextChange].Kind == ' ')
                {
                    nextChange++;
                }

                if (nextChange == edits.Count || nextChange - end > 2 * Context)
                {
                    end = Math.Min(edits.Count, end + Context);
                    break;
                }

                end = nextChange + 1;
            }

            output.Append("@@ expected line ").Append(edits[start].ExpectedLine + 1)
                .Append(", actual line ").Append(edits[start].ActualLine + 1).AppendLine(" @@");
            for (int k = start; k < end; k++)
            {
                output.Append(edits[k].Kind).AppendLine(Visible(edits[k].Text));
            }

            i = end;
        }

        return output.ToString();
    }

    private static List<(char Kind, string Text, int ExpectedLine, int ActualLine)> Edits(string[] a, string[] b)
    {
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (int x = a.Length - 1; x >= 0; x--)
        {
            for (int y = b.Length - 1; y >= 0; y--)
            {
                lcs[x, y] = a[x] == b[y] ? lcs[x + 1, y + 1] + 1 : Math.Max(lcs[x + 1, y], lcs[x, y + 1]);
            }
        }

        var edits = new List<(char, string, int, int)>();
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            if (i < a.Length && j < b.Length && a[i] == b[j])
            {
                edits.Add((' ', a[i], i, j));
                i++;
                j++;
            }
            else if (i < a.Length && (j == b.Length || lcs[i + 1, j] >= lcs[i, j + 1]))
            {
                edits.Add(('-', a[i], i, j));
                i++;
            }
            else
            {
                edits.Add(('+', b[j], i, j));
                j++;
            }
        }

        return edits;
    }

    private static string[] SplitLines(string text) => text.Split('\n');

    // Carriage returns and trailing blanks are invisible in a failure message; show them.
    private static string Visible(string line)
    {
        string shown = line.Replace("\r", "\\r", StringComparison.Ordinal);
        int trimmed = shown.TrimEnd(' ', '\t').Length;
        return trimmed == shown.Length ? shown : shown[..trimmed] + shown[trimmed..].Replace(" ", "·", StringComparison.Ordinal).Replace("\t", "→", StringComparison.Ordinal);
    }
}
