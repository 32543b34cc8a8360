using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>The diagnostics of a whole test solution.</summary>
internal sealed record SolutionAnalysis(
    ImmutableArray<Diagnostic> CompilerErrors,
    ImmutableArray<Diagnostic> AnalyzerDiagnostics,
    ImmutableArray<string> AnalyzerFailures);

/// <summary>
/// Runs analyzers the way a build does (concurrently, pragma and generated-code filtering on)
/// and records every analyzer exception, whether it arrives through the exception callback or
/// as an AD0001 diagnostic.
/// </summary>
internal static class AnalysisRunner
{
    private const string AnalyzerExceptionId = "AD0001";

    public static async Task<SolutionAnalysis> AnalyzeSolutionAsync(Solution solution, ImmutableArray<DiagnosticAnalyzer> analyzers, CancellationToken cancellationToken)
    {
        var errors = ImmutableArray.CreateBuilder<Diagnostic>();
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        var failures = ImmutableArray.CreateBuilder<string>();
        foreach (var projectId in solution.ProjectIds)
        {
            var result = await AnalyzeProjectAsync(solution.GetProject(projectId)!, analyzers, cancellationToken).ConfigureAwait(false);
            errors.AddRange(result.CompilerErrors);
            diagnostics.AddRange(result.AnalyzerDiagnostics);
            failures.AddRange(result.AnalyzerFailures);
        }

        return new SolutionAnalysis(errors.ToImmutable(), diagnostics.ToImmutable(), failures.ToImmutable());
    }

    /// <summary>Analyzes one project; <paramref name="includeCompilerErrors"/> false skips the compiler's own diagnostics (faster).</summary>
    public static async Task<SolutionAnalysis> AnalyzeProjectAsync(
        Project project,
        ImmutableArray<DiagnosticAnalyzer> analyzers,
        CancellationToken cancellationToken,
        bool includeCompilerErrors = true)
    {
        var compilation = await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new System.InvalidOperationException($"Project {project.Name} produced no compilation.");
        var failures = new ConcurrentQueue<string>();
        var options = new CompilationWithAnalyzersOptions(
            project.AnalyzerOptions,
            onAnalyzerException: (exception, analyzer, _) =>
                failures.Enqueue($"{analyzer.GetType().FullName} threw {exception.GetType().FullName}: {exception.Message}\n{exception.StackTrace}"),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false,
            reportSuppressedDiagnostics: false);
        var analyzed = await compilation.WithAnalyzers(analyzers, options)
            .GetAnalyzerDiagnosticsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var diagnostic in analyzed.Where(d => d.Id == AnalyzerExceptionId))
        {
            failures.Enqueue(diagnostic.ToString());
        }

        var errors = includeCompilerErrors
            ? compilation.GetDiagnostics(cancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray()
            : ImmutableArray<Diagnostic>.Empty;
        return new SolutionAnalysis(
            errors,
            analyzed.Where(d => d.Id != AnalyzerExceptionId).ToImmutableArray(),
            failures.Distinct().ToImmutableArray());
    }

    /// <summary>Fails the test if any analyzer threw.</summary>
    public static void AssertNoAnalyzerFailures(SolutionAnalysis analysis, string stage)
    {
        if (analysis.AnalyzerFailures.IsEmpty)
        {
            return;
        }

        Assert.Fail($"{stage}: an analyzer threw (AD0001):\n" + string.Join("\n\n", analysis.AnalyzerFailures));
    }

    /// <summary>Fails the test if the sources do not compile, showing the errors and the sources.</summary>
    public static void AssertNoCompilerErrors(SolutionAnalysis analysis, IEnumerable<(string Path, string Text)> sources, string stage)
    {
        if (analysis.CompilerErrors.IsEmpty)
        {
            return;
        }

        var message = new StringBuilder();
        message.Append(stage).Append(": the sources do not compile (").Append(analysis.CompilerErrors.Length).AppendLine(" errors):");
        foreach (var error in analysis.CompilerErrors)
        {
            message.Append("    ").AppendLine(error.ToString());
        }

        foreach (var (path, text) in sources)
        {
            message.AppendLine().Append("--- ").AppendLine(path).AppendLine(text);
        }

        Assert.Fail(message.ToString());
    }
}
