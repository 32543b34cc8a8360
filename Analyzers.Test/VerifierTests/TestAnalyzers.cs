using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers.Test.VerifierTests;

/// <summary>Descriptors of the verifier's own test analyzers.</summary>
internal static class TestDescriptors
{
    public static readonly DiagnosticDescriptor LegacyCall = new(
        id: "TEST001",
        title: "Legacy call",
        messageFormat: "Call to '{0}' is legacy",
        category: "Usage",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor KeCall = new(
        id: "TEST003",
        title: "Kernel call",
        messageFormat: "Call to the runtime's Ke",
        category: "Usage",
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor UnsuppressibleLegacyCall = new(
        id: "TEST005",
        title: "Legacy call",
        messageFormat: "Call to '{0}' is legacy",
        category: "Usage",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        customTags: WellKnownDiagnosticTags.NotConfigurable);

    public static readonly DiagnosticDescriptor LegacyType = new(
        id: "TEST004",
        title: "Legacy type",
        messageFormat: "The compilation declares '{0}'",
        category: "Usage",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        customTags: WellKnownDiagnosticTags.CompilationEnd);
}

/// <summary>Reports every invocation of a method named <c>Legacy</c>, on the invocation; skips generated code.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LegacyCallAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [TestDescriptors.LegacyCall];

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationAction(Analyze, OperationKind.Invocation);
    }

    internal static void Analyze(OperationAnalysisContext context)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (invocation.TargetMethod.Name == "Legacy")
        {
            context.ReportDiagnostic(Diagnostic.Create(TestDescriptors.LegacyCall, invocation.Syntax.GetLocation(), invocation.TargetMethod.Name));
        }
    }
}

/// <summary>Like <see cref="LegacyCallAnalyzer"/> but also reports in generated code: the verifier must reject it.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class GeneratedCodeReportingAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [TestDescriptors.LegacyCall];

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.Analyze | GeneratedCodeAnalysisFlags.ReportDiagnostics);
        context.RegisterOperationAction(LegacyCallAnalyzer.Analyze, OperationKind.Invocation);
    }
}

/// <summary>Throws on every class declaration: the verifier must report the AD0001.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ThrowingAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [TestDescriptors.LegacyCall];

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterSyntaxNodeAction(
            c => throw new InvalidOperationException("Deliberate failure in " + ((ClassDeclarationSyntax)c.Node).Identifier.Text),
            SyntaxKind.ClassDeclaration);
    }
}

/// <summary>
/// Reports calls to <c>PoolAnalyzers.Runtime.Ke</c>, registering nothing when the runtime is not
/// referenced, the way the product analyzers do.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class KeCallAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [TestDescriptors.KeCall];

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var ke = start.Compilation.GetTypeByMetadataName("PoolAnalyzers.Runtime.Ke");
            if (ke is null)
            {
                return;
            }

            start.RegisterOperationAction(
                c =>
                {
                    var invocation = (IInvocationOperation)c.Operation;
                    if (SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, ke))
                    {
                        c.ReportDiagnostic(Diagnostic.Create(TestDescriptors.KeCall, invocation.Syntax.GetLocation()));
                    }
                },
                OperationKind.Invocation);
        });
    }
}

/// <summary>Reports one location-less diagnostic per compilation that declares a class named <c>Legacy</c>.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CompilationLevelAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [TestDescriptors.LegacyType];

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationAction(c =>
        {
            if (c.Compilation.GetTypeByMetadataName("Legacy") is not null)
            {
                c.ReportDiagnostic(Diagnostic.Create(TestDescriptors.LegacyType, Location.None, "Legacy"));
            }
        });
    }
}

/// <summary>Reports legacy calls with a descriptor that pragmas cannot disable: the verifier must reject it.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnsuppressibleAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [TestDescriptors.UnsuppressibleLegacyCall];

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationAction(
            c =>
            {
                var invocation = (IInvocationOperation)c.Operation;
                if (invocation.TargetMethod.Name == "Legacy")
                {
                    c.ReportDiagnostic(Diagnostic.Create(TestDescriptors.UnsuppressibleLegacyCall, invocation.Syntax.GetLocation(), "Legacy"));
                }
            },
            OperationKind.Invocation);
    }
}

/// <summary>Reports legacy calls like <see cref="LegacyCallAnalyzer"/> and throws on a call to <c>Modern</c>, which only the fix introduces.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ThrowsOnModernCallAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [TestDescriptors.LegacyCall];

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationAction(
            c =>
            {
                if (((IInvocationOperation)c.Operation).TargetMethod.Name == "Modern")
                {
                    throw new InvalidOperationException("Deliberate failure on a call to Modern");
                }

                LegacyCallAnalyzer.Analyze(c);
            },
            OperationKind.Invocation);
    }
}
