using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers;

/// <summary>
/// POOL003: a constant 0 as the size of a pool allocation, lookaside list or zone: every
/// <see cref="RuntimeRoutine.Size"/> and <see cref="RuntimeRoutine.SegmentSize"/> parameter.
/// </summary>
/// <remarks>
/// The kernel quietly treats a zero-byte request as one byte, and Driver Verifier bug-checks on it
/// (DRIVER_VERIFIER_DETECTED_VIOLATION 0xC4/0x00). A zero block size makes a lookaside list or zone
/// useless. Constants are folded, so <c>sizeof(int) - 4</c> counts.
/// Flagged: <c>ExAllocatePoolWithTag(NonPagedPoolNx, 0, "Fred")</c>
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ZeroSizeRequestAnalyzer : PoolAnalyzer
{
    /// <summary>The POOL003 descriptor.</summary>
    public static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.ZeroSizeRequest,
        title: "Zero-size pool request",
        messageFormat: "'{0}' is called with {1} = 0; zero-size pool requests are flagged by Driver Verifier",
        category: DiagnosticCategories.Correctness,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The kernel rounds a zero-byte pool request up to one byte and Driver Verifier reports it (0xC4/0x00). A zero size is almost always a computation gone wrong.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.ZeroSizeRequest));

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    private protected override void RegisterActions(RuleActions context, RuntimeSymbols symbols)
    {
        context.RegisterOperationAction(c => AnalyzeInvocation(c, symbols), OperationKind.Invocation);
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, RuntimeSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (symbols.Classify(invocation.TargetMethod) is { } routine)
        {
            Check(context, invocation, routine.Size);
            Check(context, invocation, routine.SegmentSize);
        }
    }

    private static void Check(OperationAnalysisContext context, IInvocationOperation invocation, string? parameterName)
    {
        IArgumentOperation? argument = parameterName is null ? null : invocation.GetArgument(parameterName);
        if (argument is null || argument.ArgumentKind != ArgumentKind.Explicit)
        {
            return;
        }

        Optional<object?> constant = argument.Value.GetFoldedConstant();
        if (constant.HasValue && OperationExtensions.AsInt64(constant.Value) == 0)
        {
            context.ReportDiagnostic(Diagnostic.Create(Rule, argument.Value.Syntax.GetLocation(), invocation.TargetMethod.Name, parameterName));
        }
    }
}
