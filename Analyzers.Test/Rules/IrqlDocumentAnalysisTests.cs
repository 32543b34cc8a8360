using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using PoolAnalyzers.Test.Verifiers;
using Xunit;

namespace PoolAnalyzers.Test.Rules;

/// <summary>
/// What an editor shows without full-solution analysis: it asks the analyzers for one open
/// document's diagnostics (<see cref="CompilationWithAnalyzers.GetAnalyzerSemanticDiagnosticsAsync(SemanticModel, Microsoft.CodeAnalysis.Text.TextSpan?, CancellationToken)"/>),
/// never for the caller's file. A finding in a helper reached from another file must still appear
/// there, with its chain, whichever document is asked for first; the caller's document shows nothing.
/// </summary>
public sealed class IrqlDocumentAnalysisTests
{
    private const string Send = Sources.KernelUsings + """
        class Sender
        {
            private readonly KSPIN_LOCK _lock = new();

            public void SendPacket()
            {
                KeAcquireSpinLock(_lock, out KIRQL old);
                Options.ReadOption();
                KeReleaseSpinLock(_lock, old);
            }
        }
        """;

    private const string Options = Sources.Usings + """
        static class Options
        {
            public static nint ReadOption() => ExAllocatePoolWithTag(PagedPool, 64, "Opt1");
        }
        """;

    private const string Expected = "POOL004 Options.cs(8): 'ExAllocatePoolWithTag' uses paged pool (PagedPool) in 'ReadOption', which is called at DISPATCH_LEVEL from 'SendPacket' (spin lock acquired at Send.cs:14); paged pool is only usable at or below APC_LEVEL";

    [Fact]
    public async Task HelpersDocumentAlone_ShowsTheFindingWithTheChain()
    {
        (CompilationWithAnalyzers analysis, SyntaxTree send, SyntaxTree options) = Analysis();

        Assert.Equal([Expected], await DocumentDiagnosticsAsync(analysis, options));
        Assert.Empty(await DocumentDiagnosticsAsync(analysis, send));
    }

    [Fact]
    public async Task CallersDocumentFirst_ThenTheHelpers_SameFinding()
    {
        (CompilationWithAnalyzers analysis, SyntaxTree send, SyntaxTree options) = Analysis();

        Assert.Empty(await DocumentDiagnosticsAsync(analysis, send));
        Assert.Equal([Expected], await DocumentDiagnosticsAsync(analysis, options));
    }

    [Fact]
    public async Task FullSolutionAnalysis_ReportsItOnce()
    {
        (CompilationWithAnalyzers analysis, _, _) = Analysis();

        ImmutableArray<Diagnostic> all = await analysis.GetAnalyzerDiagnosticsAsync(CancellationToken.None);

        Assert.Equal([Expected], all.Select(Describe));
    }

    private static (CompilationWithAnalyzers Analysis, SyntaxTree Send, SyntaxTree Options) Analysis()
    {
        SyntaxTree send = CSharpSyntaxTree.ParseText(Send, TestProjects.ParseOptions, "/0/Send.cs");
        SyntaxTree options = CSharpSyntaxTree.ParseText(Options, TestProjects.ParseOptions, "/0/Options.cs");
        var compilation = CSharpCompilation.Create("Driver", [send, options], TestProjects.Framework.Add(TestProjects.Runtime), TestProjects.CompilationOptions);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        ImmutableArray<DiagnosticAnalyzer> analyzers = [new PagedPoolAtDispatchAnalyzer(), new ForbiddenIrqlCallAnalyzer(), new IrqlNotRestoredAnalyzer()];
        return (compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(new AnalyzerOptions([]), null, concurrentAnalysis: true, logAnalyzerExecutionTime: false)), send, options);
    }

    private static async Task<string[]> DocumentDiagnosticsAsync(CompilationWithAnalyzers analysis, SyntaxTree document)
    {
        SemanticModel model = analysis.Compilation.GetSemanticModel(document);
        ImmutableArray<Diagnostic> diagnostics = await analysis.GetAnalyzerSemanticDiagnosticsAsync(model, filterSpan: null, CancellationToken.None);
        return [.. diagnostics.Select(Describe)];
    }

    private static string Describe(Diagnostic diagnostic)
    {
        FileLinePositionSpan span = diagnostic.Location.GetLineSpan();
        return string.Create(CultureInfo.InvariantCulture, $"{diagnostic.Id} {System.IO.Path.GetFileName(span.Path)}({span.StartLinePosition.Line + 1}): {diagnostic.GetMessage(CultureInfo.InvariantCulture)}");
    }
}
