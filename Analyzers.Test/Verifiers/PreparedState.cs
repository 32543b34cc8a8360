using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>One source with its markup removed.</summary>
internal sealed record DocumentInput(string Path, string Text);

/// <summary>One project's plain sources and what it compiles to.</summary>
internal sealed record ProjectInput(string Name, ImmutableArray<DocumentInput> Documents, OutputKind OutputKind = OutputKind.DynamicallyLinkedLibrary);

/// <summary>
/// A test state ready to compile: plain sources per project and the full list of expected
/// diagnostics (explicit ones plus markup ones, with markup keys and default paths resolved).
/// </summary>
internal sealed record PreparedState(ImmutableArray<ProjectInput> Projects, ImmutableArray<DiagnosticResult> Expected)
{
    public IEnumerable<DocumentInput> Documents => Projects.SelectMany(p => p.Documents);

    /// <summary>
    /// Parses markup. <paramref name="markupDiagnosticId"/> supplies the ID for <c>[|…|]</c>; it is
    /// only called when such a marker is present.
    /// </summary>
    public static PreparedState Parse(
        IReadOnlyList<(string Name, SourceFileList Sources, OutputKind OutputKind)> projects,
        IEnumerable<DiagnosticResult> explicitExpected,
        Func<string> markupDiagnosticId)
    {
        var projectInputs = ImmutableArray.CreateBuilder<ProjectInput>(projects.Count);
        var markupDiagnostics = new List<DiagnosticResult>();
        var keyedLocations = new Dictionary<int, FileLinePositionSpan>();
        foreach (var (name, sources, outputKind) in projects)
        {
            var documents = ImmutableArray.CreateBuilder<DocumentInput>(sources.Count);
            foreach (var (path, markup) in sources)
            {
                var (text, spans) = TestMarkup.Parse(markup, path);
                var lines = SourceText.From(text).Lines;
                foreach (var span in spans)
                {
                    var lineSpan = new FileLinePositionSpan(path, lines.GetLinePositionSpan(span.Span));
                    if (span.LocationKey is int key)
                    {
                        if (!keyedLocations.TryAdd(key, lineSpan))
                        {
                            throw new ArgumentException($"Markup location key {{|#{key}:…|}} is used twice (second use in {path}).");
                        }
                    }
                    else
                    {
                        string id = span.DiagnosticId ?? markupDiagnosticId();
                        markupDiagnostics.Add(new DiagnosticResult(id, DiagnosticSeverity.Warning).WithNoSeverity().WithSpan(lineSpan));
                    }
                }

                documents.Add(new DocumentInput(path, text));
            }

            projectInputs.Add(new ProjectInput(name, documents.MoveToImmutable(), outputKind));
        }

        string defaultPath = projectInputs.SelectMany(p => p.Documents).Select(d => d.Path).FirstOrDefault() ?? string.Empty;
        var expected = explicitExpected
            .Select(d => d.WithResolvedLocations(key => keyedLocations.TryGetValue(key, out var span)
                ? span
                : throw new ArgumentException($"{d} refers to markup location {{|#{key}:…|}}, which no source defines.")))
            .Select(d => d.WithDefaultPath(defaultPath))
            .Concat(markupDiagnostics)
            .ToImmutableArray();
        return new PreparedState(projectInputs.MoveToImmutable(), expected);
    }

    /// <summary>
    /// The same sources, each starting with <paramref name="header"/>, expecting only the
    /// diagnostics that have no source location (a header cannot affect those).
    /// </summary>
    public PreparedState WithHeader(string header) => new(
        Projects.Select(p => p with { Documents = p.Documents.Select(d => d with { Text = header + d.Text }).ToImmutableArray() }).ToImmutableArray(),
        Expected.Where(d => !d.HasLocation).ToImmutableArray());
}
