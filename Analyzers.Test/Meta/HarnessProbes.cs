using System;
using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers.Test.Meta;

// Small analyzers and fixers with known faults, so ProductRunTests can show that the harness of the
// robustness and equivalence-key meta-tests notices each kind of failure.

/// <summary>Reports every call to a method named <c>Legacy</c>.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LegacyCallAnalyzer : DiagnosticAnalyzer
{
    public static readonly DiagnosticDescriptor Rule = new(
        id: "TEST001",
        title: "Legacy call",
        messageFormat: "Call to '{0}' is legacy",
        category: "Usage",
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Rule];

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
                    c.ReportDiagnostic(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(), invocation.TargetMethod.Name));
                }
            },
            OperationKind.Invocation);
    }
}

/// <summary>Throws on every class declaration (an AD0001).</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ThrowingAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [LegacyCallAnalyzer.Rule];

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterSyntaxNodeAction(
            c => throw new InvalidOperationException("Deliberate failure in " + ((ClassDeclarationSyntax)c.Node).Identifier.Text),
            SyntaxKind.ClassDeclaration);
    }
}

/// <summary>Offers two actions for TEST001: call <c>Modern</c> (key <c>UseModern</c>) or <c>Current</c> (key <c>UseCurrent</c>).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp), Shared]
public class RenameLegacyCallFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => [LegacyCallAnalyzer.Rule.Id];

    public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span, getInnermostNodeForTie: true) is not InvocationExpressionSyntax { Expression: IdentifierNameSyntax name })
        {
            return;
        }

        foreach ((string? replacement, string? key) in new[] { ("Modern", "UseModern"), ("Current", "UseCurrent") })
        {
            IdentifierNameSyntax renamed = name.WithIdentifier(SyntaxFactory.Identifier(name.Identifier.LeadingTrivia, replacement, name.Identifier.TrailingTrivia));
            context.RegisterCodeFix(
                CodeAction.Create($"Call {replacement}", ct => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(name, renamed))), key),
                context.Diagnostics);
        }
    }
}

/// <summary>Throws while registering, the way a fixer meeting unexpected syntax might.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp), Shared]
public sealed class ThrowingFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => [LegacyCallAnalyzer.Rule.Id];

    public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override Task RegisterCodeFixesAsync(CodeFixContext context) =>
        throw new InvalidOperationException("Deliberate failure while registering");
}

/// <summary>Offers an action that changes nothing.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp), Shared]
public sealed class NoOpFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds => [LegacyCallAnalyzer.Rule.Id];

    public override FixAllProvider? GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        context.RegisterCodeFix(
            CodeAction.Create("Do nothing", (CancellationToken _) => Task.FromResult(context.Document), "DoNothing"),
            context.Diagnostics);
        return Task.CompletedTask;
    }
}

/// <summary>A correct one-by-one fix whose Fix All provider throws.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp), Shared]
public sealed class ThrowingFixAllFix : RenameLegacyCallFix
{
    public override FixAllProvider? GetFixAllProvider() => FixAllProvider.Create(
        (_, _, _) => throw new InvalidOperationException("Deliberate failure in Fix All"));
}
