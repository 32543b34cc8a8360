using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>
/// Microsoft.CodeAnalysis.Testing's code-fix verifier with this project's <see cref="Test"/>:
/// <c>using VerifyCS = CSharpCodeFixVerifier&lt;ObsoleteAllocationAnalyzer, ObsoleteAllocationCodeFixProvider&gt;;</c>.
/// </summary>
public static class CSharpCodeFixVerifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    /// <inheritdoc cref="CodeFixVerifier{TAnalyzer, TCodeFix, TTest, TVerifier}.Diagnostic()"/>
    public static DiagnosticResult Diagnostic() => CSharpCodeFixVerifier<TAnalyzer, TCodeFix, DefaultVerifier>.Diagnostic();

    /// <inheritdoc cref="CodeFixVerifier{TAnalyzer, TCodeFix, TTest, TVerifier}.Diagnostic(string)"/>
    public static DiagnosticResult Diagnostic(string diagnosticId) => CSharpCodeFixVerifier<TAnalyzer, TCodeFix, DefaultVerifier>.Diagnostic(diagnosticId);

    /// <inheritdoc cref="CodeFixVerifier{TAnalyzer, TCodeFix, TTest, TVerifier}.Diagnostic(DiagnosticDescriptor)"/>
    public static DiagnosticResult Diagnostic(DiagnosticDescriptor descriptor) => CSharpCodeFixVerifier<TAnalyzer, TCodeFix, DefaultVerifier>.Diagnostic(descriptor);

    /// <summary>Verifies the diagnostics of <paramref name="source"/> without any fix.</summary>
    public static Task VerifyAnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var test = new Test { TestCode = source };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>Verifies that fixing the marked diagnostics of <paramref name="source"/> gives <paramref name="fixedSource"/>.</summary>
    public static Task VerifyCodeFixAsync(string source, string fixedSource) => VerifyCodeFixAsync(source, [], fixedSource);

    /// <summary>Verifies the expected diagnostics and the fix.</summary>
    public static Task VerifyCodeFixAsync(string source, DiagnosticResult[] expected, string fixedSource)
    {
        var test = new Test { TestCode = source, FixedCode = fixedSource };
        test.ExpectedDiagnostics.AddRange(expected);
        return test.RunAsync(CancellationToken.None);
    }

    /// <summary>
    /// The framework's test with the projects of <see cref="TestProjects"/>. Markup in fixed sources
    /// marks the diagnostics that survive the fix (the framework's default ignores markup of fixable
    /// diagnostics there).
    /// </summary>
    public class Test : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    {
        public Test() => TestProjects.Configure(this, () => ReferenceRuntime);

        /// <summary>Whether the projects reference <c>PoolAnalyzers.Runtime.dll</c> (default true).</summary>
        public bool ReferenceRuntime { get; set; } = true;

        /// <inheritdoc/>
        protected override Task RunImplAsync(CancellationToken cancellationToken)
        {
            // Only a test with fixed sources is a code-fix test: any FixedState setting makes it one.
            if (FixedState.Sources.Count > 0)
            {
                FixedState.MarkupHandling ??= MarkupMode.Allow;
            }

            return base.RunImplAsync(cancellationToken);
        }
    }
}
