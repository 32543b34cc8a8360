using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using PoolAnalyzers.Test.Verifiers;

namespace PoolAnalyzers.Test.Meta;

/// <summary>One code action a shipped fixer offered for one diagnostic; <c>Registration</c> identifies the (diagnostic, fixer) call that offered it.</summary>
internal sealed record OfferedAction(string Fixer, string DiagnosticId, string Title, string? EquivalenceKey, int Registration);

/// <summary>What running the whole product over one source produced.</summary>
internal sealed record ProductRunResult(
    ImmutableArray<Diagnostic> CompilerErrors,
    ImmutableArray<Diagnostic> Diagnostics,
    List<OfferedAction> Actions,
    List<string> Failures)
{
    /// <summary>How many offered actions were applied.</summary>
    public int AppliedActions { get; init; }

    /// <summary>How many Fix All actions were applied.</summary>
    public int AppliedFixAlls { get; init; }
}

/// <summary>What <see cref="ProductRun"/> does after analyzing.</summary>
/// <param name="Apply">Which offered actions to apply: none, each fixer's first for each diagnostic, or every one.</param>
/// <param name="IncludeCompilerErrors">Also collect the compiler's errors (slower).</param>
/// <param name="FixAllInDocument">Run each fixer's Fix All provider in document scope, with the key of its first action.</param>
internal sealed record ProductRunOptions(ApplyActions Apply, bool IncludeCompilerErrors, bool FixAllInDocument = false);

/// <summary>Which offered code actions a <see cref="ProductRun"/> applies.</summary>
internal enum ApplyActions
{
    None,
    First,
    Every,
}

/// <summary>
/// Runs every shipped analyzer over a one-document project (referencing the runtime), then every
/// fixer for each diagnostic it fixes: registers its actions and applies the first or every one,
/// and optionally runs its Fix All provider in document scope. An exception anywhere (AD0001
/// included) and an applied action that leaves the code unchanged become failure lines naming the
/// source and the stage.
/// </summary>
/// <remarks>
/// The project is built once (workspace, options, framework and runtime references, its compilation);
/// each run forks that solution with the source as the document's text, so it reuses the bound
/// references and pays only for its own syntax tree. Forks are independent immutable solutions, so
/// runs may go in parallel.
/// </remarks>
internal static class ProductRun
{
    private const string AnalyzerExceptionId = "AD0001";
    private static readonly ImmutableArray<DiagnosticAnalyzer> s_analyzers = ProductAssemblies.CreateAnalyzers();
    private static readonly ImmutableArray<CodeFixProvider> s_fixers = ProductAssemblies.CreateCodeFixes();
    private static readonly Lazy<Task<(Solution Solution, DocumentId Document)>> s_base = new(CreateBaseAsync);
    private static int s_registrations;

    public static Task<ProductRunResult> RunAsync(string name, string text, ProductRunOptions options, CancellationToken cancellationToken = default) =>
        RunAsync(name, text, s_analyzers, s_fixers, options, cancellationToken);

    /// <summary>The same run with other analyzers and fixers, so the harness itself can be tested.</summary>
    public static async Task<ProductRunResult> RunAsync(
        string name,
        string text,
        ImmutableArray<DiagnosticAnalyzer> analyzers,
        ImmutableArray<CodeFixProvider> fixers,
        ProductRunOptions options,
        CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var actions = new List<OfferedAction>();
        (Solution? baseSolution, DocumentId? documentId) = await s_base.Value.ConfigureAwait(false);
        Document document = baseSolution.WithDocumentText(documentId, SourceText.From(text)).GetDocument(documentId)!;
        Compilation compilation = (await document.Project.GetCompilationAsync(cancellationToken).ConfigureAwait(false))!;

        ImmutableArray<Diagnostic> diagnostics;
        try
        {
            diagnostics = await AnalyzeAsync(compilation, document.Project.AnalyzerOptions, analyzers, failures, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            failures.Add($"{name}: analysis threw {exception}");
            return new ProductRunResult([], [], actions, failures);
        }

        failures = failures.ConvertAll(f => $"{name}: {f}");
        ImmutableArray<Diagnostic> errors = options.IncludeCompilerErrors
            ? compilation.GetDiagnostics(cancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray()
            : [];
        var inSource = diagnostics.Where(d => d.Location.IsInSource).ToImmutableArray();
        var fixAllKeys = new Dictionary<CodeFixProvider, string>();
        int applied = 0;
        foreach (Diagnostic? diagnostic in inSource)
        {
            foreach (CodeFixProvider? fixer in fixers.Where(f => f.FixableDiagnosticIds.Contains(diagnostic.Id)))
            {
                string stage = $"{name}: {fixer.GetType().Name} on {diagnostic}";
                var offered = new List<CodeAction>();
                try
                {
                    await fixer.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => offered.Add(a), cancellationToken)).ConfigureAwait(false);
                    int registration = Interlocked.Increment(ref s_registrations);
                    List<CodeAction> flat = Flatten(offered);
                    actions.AddRange(flat.Select(a => new OfferedAction(fixer.GetType().Name, diagnostic.Id, a.Title, a.EquivalenceKey, registration)));
                    if (flat.Count > 0 && flat[0].EquivalenceKey is { } key)
                    {
                        fixAllKeys.TryAdd(fixer, key);
                    }

                    foreach (CodeAction? action in options.Apply switch { ApplyActions.First => flat.Take(1), ApplyActions.Every => flat, _ => [] })
                    {
                        if (!await ChangesAsync(action, document.Project.Solution, cancellationToken).ConfigureAwait(false))
                        {
                            failures.Add($"{stage}: action '{action.Title}' [{action.EquivalenceKey}] changes nothing; a fixer must not offer it");
                        }

                        applied++;
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    failures.Add($"{stage} threw {exception}");
                }
            }
        }

        int fixAlls = options.FixAllInDocument
            ? await FixAllInDocumentAsync(name, document, inSource, fixAllKeys, failures, cancellationToken).ConfigureAwait(false)
            : 0;

        return new ProductRunResult(errors, diagnostics, actions, failures) { AppliedActions = applied, AppliedFixAlls = fixAlls };
    }

    /// <summary>The analyzers' diagnostics, the way a build runs them; every analyzer exception (callback or AD0001) is added to <paramref name="failures"/>.</summary>
    private static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(
        Compilation compilation,
        AnalyzerOptions analyzerOptions,
        ImmutableArray<DiagnosticAnalyzer> analyzers,
        List<string> failures,
        CancellationToken cancellationToken)
    {
        var thrown = new ConcurrentQueue<string>();

        // Not concurrent: the robustness test already runs one source per core, and concurrent analysis of
        // one small document only adds scheduling (measured: about 13 % of that test's time).
        var options = new CompilationWithAnalyzersOptions(
            analyzerOptions,
            onAnalyzerException: (exception, analyzer, _) => thrown.Enqueue($"{analyzer.GetType().FullName} threw {exception}"),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false,
            reportSuppressedDiagnostics: false);
        ImmutableArray<Diagnostic> diagnostics = await compilation.WithAnalyzers(analyzers, options).GetAnalyzerDiagnosticsAsync(cancellationToken).ConfigureAwait(false);
        failures.AddRange(thrown.Concat(diagnostics.Where(d => d.Id == AnalyzerExceptionId).Select(d => d.ToString())).Distinct());
        return diagnostics.Where(d => d.Id != AnalyzerExceptionId).ToImmutableArray();
    }

    private static async Task<int> FixAllInDocumentAsync(
        string name,
        Document document,
        ImmutableArray<Diagnostic> diagnostics,
        Dictionary<CodeFixProvider, string> keys,
        List<string> failures,
        CancellationToken cancellationToken)
    {
        int applied = 0;
        foreach ((CodeFixProvider? fixer, string? key) in keys)
        {
            string stage = $"{name}: {fixer.GetType().Name} Fix All in Document scope [{key}]";
            try
            {
                FixAllProvider? provider = fixer.GetFixAllProvider();
                if (provider is null)
                {
                    continue;
                }

                var context = new FixAllContext(
                    document,
                    fixer,
                    FixAllScope.Document,
                    key,
                    fixer.FixableDiagnosticIds,
                    new KnownDiagnostics(diagnostics),
                    cancellationToken);
                if (await provider.GetFixAsync(context).ConfigureAwait(false) is { } action)
                {
                    if (!await ChangesAsync(action, document.Project.Solution, cancellationToken).ConfigureAwait(false))
                    {
                        failures.Add($"{stage}: '{action.Title}' changes nothing although a fix with that key was offered");
                    }

                    applied++;
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                failures.Add($"{stage} threw {exception}");
            }
        }

        return applied;
    }

    /// <summary>Applies <paramref name="action"/> and tells whether any document's text differs afterwards.</summary>
    private static async Task<bool> ChangesAsync(CodeAction action, Solution before, CancellationToken cancellationToken)
    {
        ImmutableArray<CodeActionOperation> operations = await action.GetOperationsAsync(cancellationToken).ConfigureAwait(false);
        Solution after = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        foreach (ProjectChanges changes in after.GetChanges(before).GetProjectChanges())
        {
            foreach (DocumentId id in changes.GetChangedDocuments(onlyGetDocumentsWithTextChanges: true))
            {
                SourceText oldText = await before.GetDocument(id)!.GetTextAsync(cancellationToken).ConfigureAwait(false);
                SourceText newText = await after.GetDocument(id)!.GetTextAsync(cancellationToken).ConfigureAwait(false);
                if (!oldText.ContentEquals(newText))
                {
                    return true;
                }
            }

            if (changes.GetAddedDocuments().Any() || changes.GetRemovedDocuments().Any())
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<(Solution, DocumentId)> CreateBaseAsync()
    {
        // The workspace lives for the whole test run: every run forks its solution.
        var workspace = new AdhocWorkspace();
        var projectId = ProjectId.CreateNewId("Corpus");
        var documentId = DocumentId.CreateNewId(projectId, "Source.cs");
        Solution solution = workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(
                projectId,
                VersionStamp.Default,
                "Corpus",
                "Corpus",
                LanguageNames.CSharp,
                compilationOptions: TestProjects.CompilationOptions,
                parseOptions: TestProjects.ParseOptions,
                metadataReferences: [.. TestProjects.Framework, TestProjects.Runtime]))
            .AddDocument(documentId, "Source.cs", SourceText.From(string.Empty), filePath: "/Corpus/Source.cs");

        // Binding the references once here is what every fork reuses.
        _ = await solution.GetProject(projectId)!.GetCompilationAsync().ConfigureAwait(false);
        return (solution, documentId);
    }

    private static List<CodeAction> Flatten(IEnumerable<CodeAction> actions) =>
        actions.SelectMany(a => a.NestedActions.IsDefaultOrEmpty ? [a] : Flatten(a.NestedActions)).ToList();

    /// <summary>Serves Fix All the diagnostics the run already computed for its one document.</summary>
    private sealed class KnownDiagnostics(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult(Enumerable.Empty<Diagnostic>());

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);
    }
}
