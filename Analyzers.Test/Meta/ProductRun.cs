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
using PoolAnalyzers.Test.Verifiers;

namespace PoolAnalyzers.Test.Meta;

/// <summary>One code action a shipped fixer offered for one diagnostic; <c>Registration</c> identifies the (diagnostic, fixer) call that offered it.</summary>
internal sealed record OfferedAction(string Fixer, string DiagnosticId, string Title, string? EquivalenceKey, int Registration);

/// <summary>What running the whole product over one source produced.</summary>
internal sealed record ProductRunResult(
    ImmutableArray<Diagnostic> CompilerErrors,
    ImmutableArray<Diagnostic> Diagnostics,
    List<OfferedAction> Actions,
    List<string> Failures);

/// <summary>
/// Runs every shipped analyzer over a one-document project (referencing the runtime), then every
/// fixer for each diagnostic it fixes: registers its actions and optionally applies the first.
/// Any exception, including AD0001, becomes a failure line naming the source and the stage.
/// </summary>
internal static class ProductRun
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> s_analyzers = ProductAssemblies.CreateAnalyzers();
    private static readonly ImmutableArray<CodeFixProvider> s_fixers = ProductAssemblies.CreateCodeFixes();
    private static int s_registrations;

    public static Task<ProductRunResult> RunAsync(string name, string text, bool applyFirstAction, bool includeCompilerErrors) =>
        RunAsync(name, text, s_analyzers, s_fixers, applyFirstAction, includeCompilerErrors, CancellationToken.None);

    /// <summary>The same run with other analyzers and fixers, so the harness itself can be tested.</summary>
    public static async Task<ProductRunResult> RunAsync(
        string name,
        string text,
        ImmutableArray<DiagnosticAnalyzer> analyzers,
        ImmutableArray<CodeFixProvider> fixers,
        bool applyFirstAction,
        bool includeCompilerErrors,
        CancellationToken cancellationToken)
    {
        var failures = new List<string>();
        var actions = new List<OfferedAction>();
        var state = new PreparedState([new ProjectInput("Corpus", [new DocumentInput("/Corpus/" + name, text)])], []);
        using var workspace = new AdhocWorkspace();
        var solution = TestWorkspace.CreateSolution(workspace, state, referenceRuntime: true);
        var project = solution.Projects.Single();
        var document = project.Documents.Single();

        SolutionAnalysis analysis;
        try
        {
            analysis = await AnalysisRunner.AnalyzeProjectAsync(project, analyzers, cancellationToken, includeCompilerErrors).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            failures.Add($"{name}: analysis threw {exception}");
            return new ProductRunResult([], [], actions, failures);
        }

        failures.AddRange(analysis.AnalyzerFailures.Select(f => $"{name}: {f}"));
        foreach (var diagnostic in analysis.AnalyzerDiagnostics.Where(d => d.Location.IsInSource))
        {
            foreach (var fixer in fixers.Where(f => f.FixableDiagnosticIds.Contains(diagnostic.Id)))
            {
                string stage = $"{name}: {fixer.GetType().Name} on {diagnostic}";
                var offered = new List<CodeAction>();
                try
                {
                    await fixer.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (a, _) => offered.Add(a), cancellationToken)).ConfigureAwait(false);
                    int registration = Interlocked.Increment(ref s_registrations);
                    actions.AddRange(Flatten(offered).Select(a => new OfferedAction(fixer.GetType().Name, diagnostic.Id, a.Title, a.EquivalenceKey, registration)));
                    if (applyFirstAction && offered.Count > 0)
                    {
                        await CodeFixRunner.ApplyAsync(Flatten(offered)[0], cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    failures.Add($"{stage} threw {exception}");
                }
            }
        }

        return new ProductRunResult(analysis.CompilerErrors, analysis.AnalyzerDiagnostics, actions, failures);
    }

    private static List<CodeAction> Flatten(IEnumerable<CodeAction> actions) =>
        actions.SelectMany(a => a.NestedActions.IsDefaultOrEmpty ? [a] : Flatten(a.NestedActions)).ToList();
}
