using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers;

/// <summary>
/// POOL006: executable nonpaged pool — a constant <c>POOL_TYPE</c> that is nonpaged without the NX bit
/// (<c>NonPagedPool</c>, <c>NonPagedPoolCacheAligned</c>, the nonpaged session types),
/// <c>POOL_FLAG_NON_PAGED_EXECUTE</c>, or an NPAGED lookaside list initialized without
/// <c>POOL_NX_ALLOCATION</c> in its <c>Flags</c>.
/// </summary>
/// <remarks>
/// Executable kernel memory is what an attacker who can write to it wants, and memory integrity
/// (HVCI) refuses drivers that ask for it (PREfast C30030, C30034; HLK and Driver Verifier checks).
/// Only constants are judged: <c>Ex.ExDefaultNonPagedPoolType</c> (the POOL_NX_OPTIN variable) and
/// every other value computed at run time are not reported. Must-succeed types are the runtime's
/// business (it bug-checks on them). A lookaside list with the default allocator allocates executable
/// memory; with its own Allocate routine it hands that routine an executable type, which it may use.
/// Flagged: <c>ExAllocatePoolWithTag(NonPagedPool, 64, "Fred")</c>
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ExecutablePoolAnalyzer : PoolAnalyzer
{
    /// <summary>The property naming what the code fix changes: <see cref="PoolTypeFix"/>, <see cref="PoolFlagsFix"/> or <see cref="TypeModifiersFix"/>.</summary>
    public const string FixProperty = "Fix";

    public const string PoolTypeFix = "PoolType";

    public const string PoolFlagsFix = "PoolFlags";

    public const string TypeModifiersFix = "TypeModifiers";

    /// <summary>The POOL006 descriptor.</summary>
    public static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.ExecutablePool,
        title: "Executable nonpaged pool",
        messageFormat: "'{0}' {1} executable nonpaged pool ({2}); {3}",
        category: DiagnosticCategories.Security,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Nonpaged pool without the no-execute bit is executable kernel memory: a target for code injection, and refused by memory integrity (HVCI). Use NonPagedPoolNx, POOL_FLAG_NON_PAGED, or POOL_NX_ALLOCATION in a nonpaged lookaside list's Flags.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.ExecutablePool));

    private static readonly ImmutableDictionary<string, string?> s_poolTypeFix = ImmutableDictionary<string, string?>.Empty.Add(FixProperty, PoolTypeFix);
    private static readonly ImmutableDictionary<string, string?> s_poolFlagsFix = ImmutableDictionary<string, string?>.Empty.Add(FixProperty, PoolFlagsFix);
    private static readonly ImmutableDictionary<string, string?> s_typeModifiersFix = ImmutableDictionary<string, string?>.Empty.Add(FixProperty, TypeModifiersFix);

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
        switch (symbols.Classify(invocation.TargetMethod))
        {
            case { PoolType: { } poolType }:
                if (Constant(invocation, poolType) is { } type && PoolTypeValue.IsExecutableNonPaged(type.Value))
                {
                    Report(context, type.Argument, s_poolTypeFix, "allocates", "use " + PoolTypeValue.Display(type.Value | PoolTypeValue.NoExecute));
                }

                break;
            case { PoolFlags: { } poolFlags }:
                if (Constant(invocation, poolFlags) is { } flags && ((ulong)flags.Value & PoolFlagsValue.PoolMask) == PoolFlagsValue.NonPagedExecute)
                {
                    ulong noExecute = ((ulong)flags.Value & ~PoolFlagsValue.NonPagedExecute) | PoolFlagsValue.NonPaged;
                    Report(context, flags.Argument, s_poolFlagsFix, "allocates", "use " + PoolFlagsValue.Display(noExecute));
                }

                break;
            case { Kind: RoutineKind.LookasideInitialize, Pool: RoutinePool.NonPaged, TypeModifiers: { } typeModifiers } row:
                // POOL_FLAGS passed as Flags is POOL008's: the fix there writes the modifiers they meant.
                if (Constant(invocation, typeModifiers) is { } modifiers && (modifiers.Value & PoolTypeValue.NoExecute) == 0
                    && !(modifiers.Argument.Value is IConversionOperation { OperatorMethod: null } conversion && symbols.PoolFlags is { } flagsType
                        && PoolFlagsConfusionAnalyzer.IsConvertedFrom(conversion, flagsType)))
                {
                    bool ownAllocator = row.Allocator is { } allocator && invocation.GetArgument(allocator) is { } routine && !IsNull(routine.Value);
                    Report(
                        context,
                        modifiers.Argument,
                        s_typeModifiersFix,
                        ownAllocator ? "may allocate" : "allocates",
                        ownAllocator ? "its Allocate routine is given NonPagedPool, Flags lacking POOL_NX_ALLOCATION" : "Flags lack POOL_NX_ALLOCATION",
                        "add POOL_NX_ALLOCATION to Flags");
                }

                break;
        }
    }

    private static void Report(OperationAnalysisContext context, IArgumentOperation argument, ImmutableDictionary<string, string?> properties, string verb, string remedy)
        => Report(context, argument, properties, verb, argument.Value.Syntax.ToString(), remedy);

    private static void Report(OperationAnalysisContext context, IArgumentOperation argument, ImmutableDictionary<string, string?> properties, string verb, string what, string remedy)
        => context.ReportDiagnostic(Diagnostic.Create(
            Rule,
            argument.Value.Syntax.GetLocation(),
            properties,
            ((IInvocationOperation)argument.Parent!).TargetMethod.Name,
            verb,
            what,
            remedy));

    /// <summary>The explicit argument for <paramref name="parameter"/> and its constant value, or null.</summary>
    private static (IArgumentOperation Argument, long Value)? Constant(IInvocationOperation invocation, string parameter)
    {
        if (invocation.GetArgument(parameter) is not { ArgumentKind: ArgumentKind.Explicit } argument)
        {
            return null;
        }

        Optional<object?> constant = argument.Value.GetFoldedConstant();
        return constant.HasValue && OperationExtensions.AsInt64(constant.Value) is { } value ? (argument, value) : null;
    }

    /// <summary>True for a constant null (the default allocator), through the conversion to the delegate type.</summary>
    private static bool IsNull(IOperation value)
    {
        while (value is IConversionOperation { OperatorMethod: null } conversion)
        {
            value = conversion.Operand;
        }

        return value.ConstantValue is { HasValue: true, Value: null } || value is IDefaultValueOperation;
    }
}
