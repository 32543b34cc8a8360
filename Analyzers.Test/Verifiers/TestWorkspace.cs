using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>
/// Builds the solution of a test in an <see cref="AdhocWorkspace"/> (default MEF host, which
/// carries the C# workspace services that code actions need for simplification and formatting).
/// </summary>
internal static class TestWorkspace
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static readonly CSharpCompilationOptions CompilationOptions = new(
        OutputKind.DynamicallyLinkedLibrary,
        nullableContextOptions: NullableContextOptions.Enable,
        allowUnsafe: true);

    /// <summary>
    /// One project per <see cref="ProjectInput"/>; the first is the primary project and every
    /// other project references it.
    /// </summary>
    public static Solution CreateSolution(AdhocWorkspace workspace, PreparedState state, bool referenceRuntime)
    {
        var references = new List<MetadataReference>(ReferenceAssemblies.Framework);
        if (referenceRuntime)
        {
            references.Add(ReferenceAssemblies.Runtime);
        }

        var solution = workspace.CurrentSolution;
        ProjectId? primary = null;
        foreach (var project in state.Projects)
        {
            var projectId = ProjectId.CreateNewId(project.Name);
            var info = ProjectInfo.Create(
                projectId,
                VersionStamp.Default,
                project.Name,
                project.Name,
                LanguageNames.CSharp,
                compilationOptions: CompilationOptions.WithOutputKind(project.OutputKind),
                parseOptions: ParseOptions,
                metadataReferences: references,
                projectReferences: primary is null ? null : [new ProjectReference(primary)]);
            solution = solution.AddProject(info);
            foreach (var document in project.Documents)
            {
                string name = document.Path[(document.Path.LastIndexOf('/') + 1)..];
                solution = solution.AddDocument(DocumentId.CreateNewId(projectId, document.Path), name, SourceText.From(document.Text), filePath: document.Path);
            }

            primary ??= projectId;
        }

        return solution;
    }

    /// <summary>Every document's text by path, in project then document order.</summary>
    public static async System.Threading.Tasks.Task<List<(string Path, string Text)>> GetTextsAsync(Solution solution, System.Threading.CancellationToken cancellationToken)
    {
        var texts = new List<(string Path, string Text)>();
        foreach (var projectId in solution.ProjectIds)
        {
            var project = solution.GetProject(projectId)!;
            foreach (var documentId in project.DocumentIds)
            {
                var document = project.GetDocument(documentId)!;
                var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
                texts.Add((document.FilePath ?? document.Name, text.ToString()));
            }
        }

        return texts;
    }
}
