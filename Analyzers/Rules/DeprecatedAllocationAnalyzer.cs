using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers;

/// <summary>
/// POOL007: calls to, and method-group references of, the tagged <c>POOL_TYPE</c> allocation routines
/// that Windows 10, version 2004 deprecates — <c>ExAllocatePoolWithTag</c>,
/// <c>ExAllocatePoolWithQuotaTag</c>, <c>ExAllocatePoolWithTagPriority</c> — in favour of
/// <c>ExAllocatePool2</c> / <c>ExAllocatePool3</c> (each row's <see cref="RuntimeRoutine.Replacement"/>).
/// </summary>
/// <remarks>
/// Info by default: the replacements exist only from Windows 10, version 2004, so only a driver that
/// targets those versions can move (the docs say how to raise the rule to a warning). The untagged
/// routines stay POOL001's. The message names the exact <c>POOL_FLAGS</c> the pool type translates to
/// (<see cref="PoolTypeTranslation"/>), or why there is none: a pool type that is not a constant
/// (a parameter, <c>ExDefaultNonPagedPoolType</c>) cannot be translated, and passing it on unchanged
/// is the shipped POOL_TYPE-as-POOL_FLAGS bug.
/// Flagged: <c>ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Fred")</c> → <c>ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Fred")</c>
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class DeprecatedAllocationAnalyzer : PoolAnalyzer
{
    /// <summary>The POOL007 descriptor.</summary>
    public static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.DeprecatedAllocation,
        title: "Deprecated tagged pool routine",
        messageFormat: "'{0}' is deprecated from Windows 10, version 2004: call '{1}' {2}",
        category: DiagnosticCategories.Obsolete,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "ExAllocatePoolWithTag, ExAllocatePoolWithQuotaTag and ExAllocatePoolWithTagPriority are deprecated in favour of ExAllocatePool2 and ExAllocatePool3, which take POOL_FLAGS, zero the block by default and return NULL instead of bug-checking on a bad tag. The pool type must be translated to POOL_FLAGS, never passed on.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.DeprecatedAllocation));

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    private protected override void RegisterActions(RuleActions context, RuntimeSymbols symbols)
    {
        context.RegisterOperationAction(c => AnalyzeInvocation(c, symbols), OperationKind.Invocation);
        context.RegisterOperationAction(c => AnalyzeMethodReference(c, symbols), OperationKind.MethodReference);
    }

    /// <summary>The modern routine that replaces <paramref name="routine"/>, when it is a deprecated tagged allocation (the untagged ones are POOL001's).</summary>
    internal static RuntimeRoutine? ModernReplacement(RuntimeRoutine? routine)
        => routine is { Tag: not null } ? RuntimeRoutines.ModernReplacement(routine) : null;

    private static void AnalyzeInvocation(OperationAnalysisContext context, RuntimeSymbols symbols)
    {
        var invocation = (IInvocationOperation)context.Operation;
        RuntimeRoutine? routine = symbols.Classify(invocation.TargetMethod);
        if (ModernReplacement(routine) is not { } modern || context.Operation.IsInsideNameOf())
        {
            return;
        }

        string how = invocation.GetArgument(routine!.PoolType!) is { } poolType
            ? HowToCall(poolType.Value, routine, modern)
            : "with POOL_FLAGS";
        context.ReportDiagnostic(Diagnostic.Create(Rule, invocation.Syntax.GetMethodNameLocation(), invocation.TargetMethod.Name, modern.Name, how));
    }

    private static void AnalyzeMethodReference(OperationAnalysisContext context, RuntimeSymbols symbols)
    {
        var reference = (IMethodReferenceOperation)context.Operation;
        if (ModernReplacement(symbols.Classify(reference.Method)) is { } modern && !context.Operation.IsInsideNameOf())
        {
            context.ReportDiagnostic(Diagnostic.Create(Rule, reference.Syntax.GetMethodNameLocation(), reference.Method.Name, modern.Name, "with POOL_FLAGS in place of the POOL_TYPE"));
        }
    }

    /// <summary>The rest of the message: the flags to pass, or why the pool type has no translation.</summary>
    private static string HowToCall(IOperation poolType, RuntimeRoutine routine, RuntimeRoutine modern)
    {
        Optional<object?> constant = poolType.GetFoldedConstant();
        if (!constant.HasValue || OperationExtensions.AsInt64(constant.Value) is not { } value)
        {
            return "with the POOL_FLAGS that '" + poolType.Syntax + "' stands for; it is not a constant, so it cannot be translated here (never pass a POOL_TYPE as POOL_FLAGS)";
        }

        TranslationProblem problem = PoolTypeTranslation.Translate(value, routine.Has(RoutineTraits.Quota), out ulong flags);
        if (problem != TranslationProblem.None)
        {
            return "with POOL_FLAGS; " + PoolTypeTranslation.Describe(problem);
        }

        string priority = routine.Priority is not null && modern.Priority is null ? " and the priority in a PoolExtendedParameterPriority extended parameter" : string.Empty;
        return "with " + PoolFlagsValue.Display(flags) + priority;
    }
}
