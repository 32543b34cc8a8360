using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PoolAnalyzers.Analyzer.Benchmarks.Analysis;

/// <summary>
/// Registers a compilation-start action that finds its library missing and registers nothing, which is what a well-behaved
/// analyzer does in a project that does not reference its library. Its cost is the floor that
/// <see cref="CompilationWithAnalyzers"/> itself adds to a compile, separate from any rule.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class IdleCompilationStartAnalyzer : DiagnosticAnalyzer
{
    private const string LibraryType = "PoolAnalyzers.Benchmarks.NeverReferencedLibrary";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [NeverReported.Rule("BENCH002")];

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(static start =>
        {
            // The shape of a library-specific analyzer: look the library up once, stay idle without it.
            if (start.Compilation.GetTypeByMetadataName(LibraryType) is not null)
            {
                start.RegisterOperationAction(static _ => { }, OperationKind.Invocation);
            }
        });
    }
}
