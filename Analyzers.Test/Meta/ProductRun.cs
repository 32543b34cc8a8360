using System;
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
/// <param name="ApplyFirstAction">Apply the first action each fixer offers for each diagnostic.</param>
/// <param name="IncludeCompilerErrors">Also collect the compiler's errors (slower).</param>
/// <param name="FixAllInDocument">Run each fixer's Fix All provider in document scope, with the key of its first action.</param>
/// <param name="RegisterFixes">Ask the fixers for actions at all; false runs the analyzers only.</param>
internal sealed record ProductRunOptions(bool ApplyFirstAction, bool IncludeCompilerErrors, bool FixAllInDocument = false, bool RegisterFixes = true);

/// <summary>
/// Runs every shipped analyzer over a one-document project (referencing the runtime), then every
/// fixer for each diagnostic it fixes: registers its actions and optionally applies the first, and
/// optionally runs its Fix All provider in document scope. Any exception, including AD0001, becomes a
/// failure line naming the source and the stage.
/// </summary>
/// <remarks>
/// The project is built once (workspace, parse and compilation options, framework and runtime
/// references, its compilation); each run forks that solution with the source as the document's text,
/// so it reuses the bound references and pays only for its own syntax tree. Forks are independent
/// immutable solutions, so runs may go in parallel.
/// </remarks>
internal static class ProductRun
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> s_analyzers = ProductAssemblies.CreateAnalyzers();
    private static readonly ImmutableArray<CodeFixProvider> s_fixers = ProductAssemblies.CreateCodeFixes();
    private static readonly Lazy<Task<(Solution Solution, DocumentId Document)>> s_base = new(CreateBaseAsync);
    private static AdhocWorkspace? s_workspace;
    private static int s_registrations;

    public static Task<ProductRunResult> RunAsync(string name, string text, bool applyFirstAction, bool includeCompilerErrors) =>
        RunAsync(name, text, s_analyzers, s_fixers, new ProductRunOptions(applyFirstAction, includeCompilerErrors), CancellationToken.None);

    public static Task<ProductRunResult> RunAsync(string name, string text, ProductRunOptions options, CancellationToken cancellationToken) =>
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
        var (baseSolution, documentId) = await s_base.Value.ConfigureAwait(false);
        var document = baseSolution.WithDocumentText(documentId, SourceText.From(text)).GetDocument(documentId)!;

        SolutionAnalysis analysis;
        try
        {
            analysis = await AnalysisRunner.AnalyzeProjectAsync(document.Project, analyzers, cancellationToken, options.IncludeCompilerErrors).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            failures.Add($"{name}: analysis threw {exception}");
            return new ProductRunResult([], [], actions, failures);
        }

        failures.AddRange(analysis.AnalyzerFailures.Select(f => $"{name}: {f}"));
        var inSource = analysis.AnalyzerDiagnostics.Where(d => d.Location.IsInSource).ToImmutableArray();
        if (!options.RegisterFixes || inSource.IsEmpty)
        {
            return new ProductRunResult(analysis.CompilerErrors, analysis.AnalyzerDiagnostics, actions, failures);
        }

        var fixAllKeys = new Dictionary<CodeFixProvider, string>();
        int applied = 0;
        foreach (var diagnostic in inSource)
        {
            foreach (var fixer in fixers.Where(f => f.FixableDiagnosticIds.Contains(diagnostic.Id)))
            {
                string stage = $"{name}: {fixer.GetType().Name} on {diagnostic}";
                var offered = new List<CodeAction>();
                try
                {
                    await fixer.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => offered.Add(a), cancellationToken)).ConfigureAwait(false);
                    int registration = Interlocked.Increment(ref s_registrations);
                    var flat = Flatten(offered);
                    actions.AddRange(flat.Select(a => new OfferedAction(fixer.GetType().Name, diagnostic.Id, a.Title, a.EquivalenceKey, registration)));
                    if (flat.Count > 0 && flat[0].EquivalenceKey is { } key)
                    {
                        fixAllKeys.TryAdd(fixer, key);
                    }

                    if (options.ApplyFirstAction && flat.Count > 0)
                    {
                        await CodeFixRunner.ApplyAsync(flat[0], cancellationToken).ConfigureAwait(false);
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

        return new ProductRunResult(analysis.CompilerErrors, analysis.AnalyzerDiagnostics, actions, failures) { AppliedActions = applied, AppliedFixAlls = fixAlls };
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
        foreach (var (fixer, key) in keys)
        {
            try
            {
                var provider = fixer.GetFixAllProvider();
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
                    await CodeFixRunner.ApplyAsync(action, cancellationToken).ConfigureAwait(false);
                    applied++;
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                failures.Add($"{name}: {fixer.GetType().Name} Fix All in Document scope [{key}] threw {exception}");
            }
        }

        return applied;
    }

    private static async Task<(Solution, DocumentId)> CreateBaseAsync()
    {
        // Kept for the whole test run: every run forks its solution.
        s_workspace = new AdhocWorkspace();
        var state = new PreparedState([new ProjectInput("Corpus", [new DocumentInput("/Corpus/Source.cs", string.Empty)])], []);
        var solution = TestWorkspace.CreateSolution(s_workspace, state, referenceRuntime: true);
        var project = solution.Projects.Single();

        // Binding the references once here is what every fork reuses.
        _ = await project.GetCompilationAsync().ConfigureAwait(false);
        return (solution, project.DocumentIds.Single());
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
