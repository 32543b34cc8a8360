using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>Feeds Fix All with the test analyzers' diagnostics, computed fresh for the solution it is asked about.</summary>
internal sealed class TestDiagnosticProvider(ImmutableArray<DiagnosticAnalyzer> analyzers, ImmutableHashSet<string> diagnosticIds)
    : FixAllContext.DiagnosticProvider
{
    public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
    {
        var tree = await document.GetSyntaxTreeAsync(cancellationToken).ConfigureAwait(false);
        var all = await AnalyzeAsync(document.Project, cancellationToken).ConfigureAwait(false);
        return all.Where(d => d.Location.SourceTree == tree);
    }

    public override async Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken)
    {
        var all = await AnalyzeAsync(project, cancellationToken).ConfigureAwait(false);
        return all.Where(d => !d.Location.IsInSource);
    }

    public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
        AnalyzeAsync(project, cancellationToken);

    private async Task<IEnumerable<Diagnostic>> AnalyzeAsync(Project project, CancellationToken cancellationToken)
    {
        var analysis = await AnalysisRunner.AnalyzeProjectAsync(project, analyzers, cancellationToken).ConfigureAwait(false);
        AnalysisRunner.AssertNoAnalyzerFailures(analysis, "While computing diagnostics for Fix All");
        return analysis.AnalyzerDiagnostics.Where(d => diagnosticIds.Contains(d.Id));
    }
}
