using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>
/// Entry point of analyzer tests, shaped like Microsoft.CodeAnalysis.Testing:
/// <c>using VerifyCS = CSharpAnalyzerVerifier&lt;ObsoleteAllocationAnalyzer&gt;;</c> then
/// <c>await VerifyCS.VerifyAnalyzerAsync(source, VerifyCS.Diagnostic().WithLocation(0));</c>.
/// </summary>
public static class CSharpAnalyzerVerifier<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    /// <summary>A diagnostic of the analyzer's only descriptor.</summary>
    public static DiagnosticResult Diagnostic() => VerifierDiagnostics.Single(new TAnalyzer());

    /// <summary>A diagnostic of the analyzer's descriptor with <paramref name="diagnosticId"/>.</summary>
    public static DiagnosticResult Diagnostic(string diagnosticId) => VerifierDiagnostics.ById(new TAnalyzer(), diagnosticId);

    /// <summary>A diagnostic of <paramref name="descriptor"/>.</summary>
    public static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => new(descriptor);

    /// <summary>Verifies that <paramref name="source"/> (markup) produces exactly the marked and <paramref name="expected"/> diagnostics.</summary>
    public static Task VerifyAnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>A full analyzer test, for multiple sources, projects or options.</summary>
    public class Test : AnalyzerTest<TAnalyzer>
    {
    }
}

/// <summary>Builds <see cref="DiagnosticResult"/>s from an analyzer's descriptors.</summary>
internal static class VerifierDiagnostics
{
    public static DiagnosticResult Single(DiagnosticAnalyzer analyzer)
    {
        var descriptors = analyzer.SupportedDiagnostics;
        return descriptors.Length == 1
            ? new DiagnosticResult(descriptors[0])
            : throw new System.InvalidOperationException(
                $"Diagnostic() needs an analyzer with one descriptor; {analyzer.GetType().Name} has {descriptors.Length} ({string.Join(", ", descriptors.Select(d => d.Id))}). Use Diagnostic(id).");
    }

    public static DiagnosticResult ById(DiagnosticAnalyzer analyzer, string diagnosticId)
    {
        var descriptor = analyzer.SupportedDiagnostics.FirstOrDefault(d => d.Id == diagnosticId);
        return descriptor is not null
            ? new DiagnosticResult(descriptor)
            : throw new System.ArgumentException(
                $"{analyzer.GetType().Name} has no descriptor '{diagnosticId}'; it supports {string.Join(", ", analyzer.SupportedDiagnostics.Select(d => d.Id))}.",
                nameof(diagnosticId));
    }
}
