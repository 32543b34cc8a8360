using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Xunit;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>
/// Pairs expected with reported diagnostics and, when they differ, fails with the missing and
/// unexpected ones plus every reported diagnostic in paste-ready form and as markup.
/// </summary>
internal static class DiagnosticComparison
{
    // Roslyn keeps the message arguments internal; they make the paste-ready form exact.
    private static readonly PropertyInfo? s_arguments =
        typeof(Diagnostic).GetProperty("Arguments", BindingFlags.Instance | BindingFlags.NonPublic);

    public static void AssertMatch(
        string stage,
        IReadOnlyList<DiagnosticResult> expected,
        IReadOnlyList<Diagnostic> actual,
        IEnumerable<(string Path, string Text)> sources)
    {
        var sortedActual = actual.OrderBy(d => d.Location.GetLineSpan().Path, System.StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Id, System.StringComparer.Ordinal)
            .ToList();
        var unmatchedActual = new List<Diagnostic>(sortedActual);
        var missing = new List<DiagnosticResult>();
        foreach (var result in expected)
        {
            int index = unmatchedActual.FindIndex(d => Describe(result, d) is null);
            if (index < 0)
            {
                missing.Add(result);
            }
            else
            {
                unmatchedActual.RemoveAt(index);
            }
        }

        if (missing.Count == 0 && unmatchedActual.Count == 0)
        {
            return;
        }

        var message = new StringBuilder();
        message.Append(stage).Append(": expected ").Append(expected.Count).Append(" diagnostic(s), the analyzers reported ")
            .Append(actual.Count).AppendLine(".");
        if (missing.Count > 0)
        {
            message.AppendLine().AppendLine("Missing (expected but not reported):");
            foreach (var result in missing)
            {
                message.Append("    ").AppendLine(result.ToString());
                var closest = unmatchedActual.Where(d => d.Id == result.Id).Select(d => Describe(result, d)).FirstOrDefault();
                if (closest is not null)
                {
                    message.Append("      closest reported ").Append(result.Id).Append(" differs: ").AppendLine(closest);
                }
            }
        }

        if (unmatchedActual.Count > 0)
        {
            message.AppendLine().AppendLine("Unexpected (reported but not expected):");
            foreach (var diagnostic in unmatchedActual)
            {
                message.Append("    // ").AppendLine(diagnostic.ToString());
                message.Append("    ").AppendLine(ToResult(diagnostic).ToString());
            }
        }

        AppendActual(message, sortedActual, sources);
        Assert.Fail(message.ToString());
    }

    /// <summary>The reported diagnostics as paste-ready C# and as markup over the sources.</summary>
    public static void AppendActual(StringBuilder message, IReadOnlyList<Diagnostic> actual, IEnumerable<(string Path, string Text)> sources)
    {
        message.AppendLine().AppendLine("All reported diagnostics, paste-ready:");
        foreach (var diagnostic in actual)
        {
            message.Append("    ").Append(ToResult(diagnostic).ToString()).AppendLine(",");
        }

        if (actual.Count == 0)
        {
            message.AppendLine("    (none)");
        }

        message.AppendLine().AppendLine("As markup:");
        foreach (var (path, text) in sources)
        {
            var inFile = actual.Where(d => d.Location.IsInSource && d.Location.GetLineSpan().Path == path);
            message.Append("--- ").AppendLine(path).AppendLine(TestMarkup.Render(text, inFile));
        }
    }

    /// <summary>The paste-ready expectation matching a reported diagnostic.</summary>
    public static DiagnosticResult ToResult(Diagnostic diagnostic)
    {
        var result = new DiagnosticResult(diagnostic.Descriptor);
        if (diagnostic.Severity != diagnostic.Descriptor.DefaultSeverity)
        {
            result = result.WithSeverity(diagnostic.Severity);
        }

        if (diagnostic.Location.IsInSource)
        {
            result = result.WithSpan(diagnostic.Location.GetLineSpan());
            foreach (var additional in diagnostic.AdditionalLocations.Where(l => l.IsInSource))
            {
                result = result.WithSpan(additional.GetLineSpan());
            }
        }

        var arguments = s_arguments?.GetValue(diagnostic) as IReadOnlyList<object?>;
        if (arguments is { Count: > 0 })
        {
            var withArguments = result.WithArguments(arguments.ToArray());
            return withArguments.Message == diagnostic.GetMessage(CultureInfo.InvariantCulture)
                ? withArguments
                : result.WithMessage(diagnostic.GetMessage(CultureInfo.InvariantCulture));
        }

        string format = diagnostic.Descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture);
        string reported = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        return reported == format ? result : result.WithMessage(reported);
    }

    /// <summary>Null when <paramref name="actual"/> satisfies <paramref name="expected"/>, else what differs.</summary>
    public static string? Describe(DiagnosticResult expected, Diagnostic actual)
    {
        var differences = new List<string>();
        if (expected.Id != actual.Id)
        {
            differences.Add($"ID {actual.Id}, expected {expected.Id}");
        }

        if (expected.Severity is { } severity && severity != actual.Severity)
        {
            differences.Add($"severity {actual.Severity}, expected {severity}");
        }

        string? message = expected.Message;
        string reported = actual.GetMessage(CultureInfo.InvariantCulture);
        if (message is not null && message != reported)
        {
            differences.Add($"message \"{reported}\", expected \"{message}\"");
        }

        var locations = expected.Spans;
        if (locations.IsEmpty)
        {
            if (actual.Location.IsInSource)
            {
                differences.Add($"reported at {Format(actual.Location.GetLineSpan())}, expected no location");
            }
        }
        else
        {
            var reportedLocations = new List<Location> { actual.Location };
            reportedLocations.AddRange(actual.AdditionalLocations);
            int compared = locations.Length == 1 ? 1 : reportedLocations.Count;
            if (locations.Length > 1 && locations.Length != reportedLocations.Count)
            {
                differences.Add($"{reportedLocations.Count} location(s), expected {locations.Length}");
            }

            for (int i = 0; i < System.Math.Min(compared, locations.Length); i++)
            {
                var span = reportedLocations[i].GetLineSpan();
                if (!LocationMatches(locations[i], reportedLocations[i]))
                {
                    string which = i == 0 ? "span" : $"additional location {i}";
                    differences.Add($"{which} {Format(span)}, expected {Format(locations[i].Span)}");
                }
            }
        }

        return differences.Count == 0 ? null : string.Join("; ", differences);
    }

    private static bool LocationMatches(DiagnosticLocation expected, Location actual)
    {
        if (!actual.IsInSource)
        {
            return false;
        }

        var span = actual.GetLineSpan();
        return span.Path == expected.Span.Path
            && span.StartLinePosition == expected.Span.StartLinePosition
            && (expected.IgnoreEnd || span.EndLinePosition == expected.Span.EndLinePosition);
    }

    private static string Format(FileLinePositionSpan span) =>
        $"{span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1})-({span.EndLinePosition.Line + 1},{span.EndLinePosition.Character + 1})";
}
