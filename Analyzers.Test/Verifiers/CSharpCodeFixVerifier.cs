using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>
/// Entry point of code-fix tests, shaped like Microsoft.CodeAnalysis.Testing:
/// <c>using VerifyCS = CSharpCodeFixVerifier&lt;ObsoleteAllocationAnalyzer, ObsoleteAllocationCodeFix&gt;;</c>
/// then <c>await VerifyCS.VerifyCodeFixAsync(source, fixedSource);</c>.
/// </summary>
public static class CSharpCodeFixVerifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    /// <summary>A diagnostic of the analyzer's only descriptor.</summary>
    public static DiagnosticResult Diagnostic() => VerifierDiagnostics.Single(new TAnalyzer());

    /// <summary>A diagnostic of the analyzer's descriptor with <paramref name="diagnosticId"/>.</summary>
    public static DiagnosticResult Diagnostic(string diagnosticId) => VerifierDiagnostics.ById(new TAnalyzer(), diagnosticId);

    /// <summary>A diagnostic of <paramref name="descriptor"/>.</summary>
    public static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => new(descriptor);

    /// <summary>Verifies the diagnostics of <paramref name="source"/> without any fix.</summary>
    public static Task VerifyAnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>Verifies that fixing the marked diagnostics of <paramref name="source"/> gives <paramref name="fixedSource"/>.</summary>
    public static Task VerifyCodeFixAsync(string source, string fixedSource) =>
        VerifyCodeFixAsync(source, [], fixedSource);

    /// <summary>Verifies one expected diagnostic and the fix.</summary>
    public static Task VerifyCodeFixAsync(string source, DiagnosticResult expected, string fixedSource) =>
        VerifyCodeFixAsync(source, [expected], fixedSource);

    /// <summary>Verifies the expected diagnostics and the fix.</summary>
    public static Task VerifyCodeFixAsync(string source, DiagnosticResult[] expected, string fixedSource)
    {
        var test = new Test { TestCode = source, FixedCode = fixedSource };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>A full code-fix test, for multiple sources, projects, action selection or iteration counts.</summary>
    public class Test : CodeFixTest<TAnalyzer, TCodeFix>
    {
    }
}
