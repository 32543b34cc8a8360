using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers;

/// <summary>
/// POOL008: a <c>POOL_TYPE</c> converted to <c>POOL_FLAGS</c> or back (a cast, or casts through an
/// integer), an integer constant converted to one of them whose value only makes sense as the other,
/// <c>POOL_FLAGS</c> converted to the pool type modifiers a lookaside initializer takes in <c>Flags</c>,
/// and a constant <c>POOL_FLAGS</c> argument that fails every allocation: not exactly one of
/// PAGED / NON_PAGED / NON_PAGED_EXECUTE, or a reserved or undefined required bit.
/// </summary>
/// <remarks>
/// The values of the two types mean different things: <c>NonPagedPoolNx</c> (512) read as flags is
/// <c>POOL_FLAG_RESERVED2</c> with no pool flag, so <c>ExAllocatePool2((POOL_FLAGS)NonPagedPoolNx, …)</c>
/// always returns NULL — the shipped bug that kept a display driver from starting for two years; and
/// <c>POOL_FLAG_NON_PAGED</c> (0x40) read as a pool type is executable <c>NonPagedPool</c> plus an
/// undefined bit (KERNEL-FACTS §9). Optional flags (the high 32 bits) are never reported: the
/// allocator ignores those it does not know. A value computed at run time is judged only where it
/// crosses from one type to the other.
/// Flagged: <c>ExAllocatePool2((POOL_FLAGS)NonPagedPoolNx, 64, "Fred")</c>
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PoolFlagsConfusionAnalyzer : PoolAnalyzer
{
    /// <summary>The POOL008 descriptor.</summary>
    public static readonly DiagnosticDescriptor Rule = new(
        id: DiagnosticIds.PoolFlagsConfusion,
        title: "POOL_TYPE and POOL_FLAGS confused, or invalid POOL_FLAGS",
        messageFormat: "{0} {1}; {2}",
        category: DiagnosticCategories.Correctness,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "POOL_TYPE and POOL_FLAGS values mean different things: NonPagedPoolNx (0x200) is POOL_FLAG_RESERVED2 as flags, so an ExAllocatePool2 call with it always fails. Translate a pool type (NonPagedPoolNx → POOL_FLAG_NON_PAGED, PagedPool → POOL_FLAG_PAGED) and pass exactly one of POOL_FLAG_PAGED, POOL_FLAG_NON_PAGED and POOL_FLAG_NON_PAGED_EXECUTE, without reserved bits.",
        helpLinkUri: HelpLinks.For(DiagnosticIds.PoolFlagsConfusion));

    /// <summary>The property set on a converted constant pool type that has an exact translation: the code fix writes it.</summary>
    public const string TranslatableProperty = "Translatable";

    private static readonly ImmutableDictionary<string, string?> s_translatable = ImmutableDictionary<string, string?>.Empty.Add(TranslatableProperty, "true");

    private const string PassFlags = "pass POOL_FLAGS to ExAllocatePool2 or ExAllocatePool3, and a POOL_TYPE to the routines that take one";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    private protected override void RegisterActions(RuleActions context, RuntimeSymbols symbols)
    {
        // A copy of the runtime types that predates POOL_FLAGS has nothing to confuse. Asked in the
        // callbacks: the types are looked up at their first use (RuntimeSymbols).
        context.RegisterOperationAction(
            c =>
            {
                if (symbols is { PoolType: { } poolType, PoolFlags: { } poolFlags })
                {
                    AnalyzeConversion(c, poolType, poolFlags);
                }
            },
            OperationKind.Conversion);
        context.RegisterOperationAction(
            c =>
            {
                if (symbols is { PoolType: { } poolType, PoolFlags: { } poolFlags })
                {
                    AnalyzeInvocation(c, symbols, poolType, poolFlags);
                }
            },
            OperationKind.Invocation);
    }

    private static void AnalyzeConversion(OperationAnalysisContext context, INamedTypeSymbol poolType, INamedTypeSymbol poolFlags)
    {
        var conversion = (IConversionOperation)context.Operation;
        bool toFlags = SymbolEqualityComparer.Default.Equals(conversion.Type, poolFlags);
        if ((!toFlags && !SymbolEqualityComparer.Default.Equals(conversion.Type, poolType))
            || Source(conversion) is not { } source)
        {
            return;
        }

        INamedTypeSymbol other = toFlags ? poolType : poolFlags;
        if (SymbolEqualityComparer.Default.Equals(source.Type, other))
        {
            ReportCrossConversion(context, conversion, source, toFlags);
        }
        else if (source.Type is { TypeKind: not TypeKind.Enum, SpecialType: not SpecialType.None } && source.ConstantValue is { HasValue: true } constant
            && OperationExtensions.AsInt64(constant.Value) is { } value)
        {
            ReportIntegerOfTheOtherType(context, conversion, value, toFlags);
        }
    }

    /// <summary>
    /// The value a conversion chain starts from: through casts to and from integers, stopping at (and
    /// then not reporting) an inner conversion to the same enum, which reports for itself.
    /// </summary>
    private static IOperation? Source(IConversionOperation conversion)
    {
        IOperation current = conversion.Operand;
        while (current is IConversionOperation { OperatorMethod: null } inner)
        {
            if (SymbolEqualityComparer.Default.Equals(inner.Type, conversion.Type))
            {
                return null;
            }

            current = inner.Operand;
        }

        return current;
    }

    private static void ReportCrossConversion(OperationAnalysisContext context, IConversionOperation conversion, IOperation source, bool toFlags)
    {
        string what = toFlags
            ? "POOL_TYPE '" + source.Syntax + "' converted to POOL_FLAGS"
            : "POOL_FLAGS '" + source.Syntax + "' converted to POOL_TYPE";
        Optional<object?> constant = source.GetFoldedConstant();
        if (!constant.HasValue || OperationExtensions.AsInt64(constant.Value) is not { } value)
        {
            context.ReportDiagnostic(Diagnostic.Create(
                Rule,
                conversion.Syntax.GetLocation(),
                what,
                toFlags
                    ? "reads pool type bits as flag bits (NonPagedPoolNx, 0x200, is POOL_FLAG_RESERVED2 and names no pool)"
                    : "reads flag bits as pool type bits (POOL_FLAG_NON_PAGED, 0x40, is executable NonPagedPool plus an undefined bit)",
                toFlags ? "translate it (PagedPool → POOL_FLAG_PAGED, NonPagedPoolNx → POOL_FLAG_NON_PAGED)" : PassFlags));
            return;
        }

        if (toFlags)
        {
            ImmutableDictionary<string, string?> properties = PoolTypeTranslation.Translate(value, quota: false, out _) == TranslationProblem.None
                ? s_translatable
                : ImmutableDictionary<string, string?>.Empty;
            context.ReportDiagnostic(Diagnostic.Create(Rule, conversion.Syntax.GetLocation(), properties, what, ReadAsFlags((ulong)value), Translation(value)));
        }
        else
        {
            context.ReportDiagnostic(Diagnostic.Create(Rule, conversion.Syntax.GetLocation(), what, ReadAsPoolType(value), PassFlags + BackTranslation((ulong)value)));
        }
    }

    /// <summary>An integer constant that is no valid value of the type it becomes, but a valid one of the other.</summary>
    private static void ReportIntegerOfTheOtherType(OperationAnalysisContext context, IConversionOperation conversion, long value, bool toFlags)
    {
        PoolFlagsProblem problem = PoolFlagsValue.Validate((ulong)value, out _);
        if (toFlags)
        {
            // A flags argument is judged, more fully, where the call is analyzed. Elsewhere a value may be
            // one part of flags still being put together, so only bits that are never flags count.
            if (PoolFlagsValue.HasBitsNeverValid((ulong)value) && PoolTypeValue.IsKnown(value) && !IsFlagsArgument(conversion))
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    Rule,
                    conversion.Syntax.GetLocation(),
                    "'" + conversion.Operand.Syntax + "' converted to POOL_FLAGS",
                    ReadAsFlags((ulong)value) + ", and reads as the POOL_TYPE " + PoolTypeValue.Display(value),
                    Translation(value)));
            }
        }
        else if (problem == PoolFlagsProblem.None && !PoolTypeValue.IsKnown(value))
        {
            context.ReportDiagnostic(Diagnostic.Create(
                Rule,
                conversion.Syntax.GetLocation(),
                "'" + conversion.Operand.Syntax + "' converted to POOL_TYPE",
                ReadAsPoolType(value) + ", and reads as the POOL_FLAGS " + PoolFlagsValue.Display((ulong)value),
                PassFlags + BackTranslation((ulong)value)));
        }
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, RuntimeSymbols symbols, INamedTypeSymbol poolType, INamedTypeSymbol poolFlags)
    {
        var invocation = (IInvocationOperation)context.Operation;
        RuntimeRoutine? routine = symbols.Classify(invocation.TargetMethod);
        if (routine is { TypeModifiers: { } typeModifiers })
        {
            AnalyzeTypeModifiers(context, invocation, routine, typeModifiers, poolFlags);
            return;
        }

        if (routine is not { PoolFlags: { } parameter }
            || invocation.GetArgument(parameter) is not { ArgumentKind: ArgumentKind.Explicit, Value: { } flags }
            || CrossesFromPoolType(flags, poolType))
        {
            return;
        }

        Optional<object?> constant = flags.GetFoldedConstant();
        if (!constant.HasValue || OperationExtensions.AsInt64(constant.Value) is not { } value)
        {
            return;
        }

        PoolFlagsProblem problem = PoolFlagsValue.Validate((ulong)value, out ulong offending);
        if (problem == PoolFlagsProblem.None)
        {
            return;
        }

        // A bare integer that is a pool type was meant as one: say so, and what it translates to
        // (not 0, which reads as "no flags" at least as well as NonPagedPool).
        bool readsAsPoolType = value != 0 && IsInteger(flags, poolFlags) && PoolTypeValue.IsKnown(value);
        context.ReportDiagnostic(Diagnostic.Create(
            Rule,
            flags.Syntax.GetLocation(),
            "POOL_FLAGS '" + flags.Syntax + "' of '" + invocation.TargetMethod.Name + "'",
            PoolFlagsValue.Describe(problem, offending) + ", so the allocation always fails"
                + (readsAsPoolType ? "; " + PoolFlagsValue.Hex((ulong)value) + " reads as the POOL_TYPE " + PoolTypeValue.Display(value) : string.Empty),
            readsAsPoolType ? Translation(value) : PoolFlagsValue.Remedy(problem)));
    }

    /// <summary>
    /// A lookaside initializer's <c>Flags</c> (pool type modifiers, a <c>uint</c>) given <c>POOL_FLAGS</c>: the
    /// bits mean other things there, and the runtime, like the kernel, accepts only
    /// POOL_RAISE_IF_ALLOCATION_FAILURE and POOL_NX_ALLOCATION. The remedy names the modifiers the flags meant.
    /// </summary>
    private static void AnalyzeTypeModifiers(OperationAnalysisContext context, IInvocationOperation invocation, RuntimeRoutine routine, string parameter, INamedTypeSymbol poolFlags)
    {
        if (invocation.GetArgument(parameter) is not { ArgumentKind: ArgumentKind.Explicit, Value: IConversionOperation { OperatorMethod: null } conversion }
            || !IsConvertedFrom(conversion, poolFlags))
        {
            return;
        }

        Optional<object?> constant = conversion.Operand.GetFoldedConstant();
        string meant = constant.HasValue && OperationExtensions.AsInt64(constant.Value) is { } value
            ? "write " + TypeModifiers((ulong)value, routine.Pool == RoutinePool.NonPaged)
            : "pass 0, POOL_RAISE_IF_ALLOCATION_FAILURE or POOL_NX_ALLOCATION as uint";
        context.ReportDiagnostic(Diagnostic.Create(
            Rule,
            conversion.Syntax.GetLocation(),
            "POOL_FLAGS '" + conversion.Operand.Syntax + "' passed as the Flags of '" + invocation.TargetMethod.Name + "'",
            "reads flag bits as pool type modifiers, and the routine accepts only POOL_RAISE_IF_ALLOCATION_FAILURE and POOL_NX_ALLOCATION there",
            meant));
    }

    /// <summary>True when the conversion chain starts from a value of <paramref name="type"/>.</summary>
    internal static bool IsConvertedFrom(IConversionOperation conversion, INamedTypeSymbol type)
        => Source(conversion) is { } source && SymbolEqualityComparer.Default.Equals(source.Type, type);

    /// <summary>The lookaside modifiers <paramref name="flags"/> stand for: NX from POOL_FLAG_NON_PAGED (nonpaged lists), raise from POOL_FLAG_RAISE_ON_FAILURE.</summary>
    private static string TypeModifiers(ulong flags, bool nonPaged)
    {
        bool raise = (flags & PoolFlagsValue.RaiseOnFailure) != 0;
        bool noExecute = nonPaged && (flags & PoolFlagsValue.NonPaged) != 0;
        return (raise, noExecute) switch
        {
            (true, true) => "(uint)(POOL_RAISE_IF_ALLOCATION_FAILURE | POOL_NX_ALLOCATION)",
            (true, false) => "(uint)POOL_RAISE_IF_ALLOCATION_FAILURE",
            (false, true) => "(uint)POOL_NX_ALLOCATION",
            _ => "0",
        };
    }

    /// <summary>True when the argument is a POOL_TYPE converted to POOL_FLAGS: the conversion reports it.</summary>
    private static bool CrossesFromPoolType(IOperation flags, INamedTypeSymbol poolType)
        => flags is IConversionOperation { OperatorMethod: null } conversion
            && Source(conversion) is { } source
            && SymbolEqualityComparer.Default.Equals(source.Type, poolType);

    /// <summary>True when the flags are an integer (literal or constant) converted to POOL_FLAGS, not written with its members.</summary>
    private static bool IsInteger(IOperation flags, INamedTypeSymbol poolFlags)
        => flags is IConversionOperation { OperatorMethod: null } conversion
            && Source(conversion) is { Type: { TypeKind: not TypeKind.Enum } } source
            && !SymbolEqualityComparer.Default.Equals(source.Type, poolFlags);

    private static bool IsFlagsArgument(IConversionOperation conversion)
        => conversion.Parent is IArgumentOperation { Parameter.Type: { } type } && SymbolEqualityComparer.Default.Equals(type, conversion.Type);

    private static string ReadAsFlags(ulong value)
    {
        PoolFlagsProblem problem = PoolFlagsValue.Validate(value, out ulong offending);
        return "is " + PoolFlagsValue.Display(value) + (problem == PoolFlagsProblem.None
            ? ", which asks for something else"
            : ", which " + PoolFlagsValue.Describe(problem, offending) + ", so an allocation with it always fails");
    }

    private static string ReadAsPoolType(long value)
        => PoolTypeValue.IsKnown(value)
            ? "is the pool type " + PoolTypeValue.Display(value)
            : "is " + PoolFlagsValue.Hex((ulong)value) + ", which sets bits no pool type has";

    /// <summary>What to write instead of a converted pool type: its exact translation, or why there is none.</summary>
    private static string Translation(long poolType)
    {
        TranslationProblem problem = PoolTypeTranslation.Translate(poolType, quota: false, out ulong flags);
        return problem == TranslationProblem.None
            ? "write " + PoolFlagsValue.Display(flags)
            : "translate it by hand: " + PoolTypeTranslation.Describe(problem);
    }

    private static string BackTranslation(ulong flags)
        => PoolTypeTranslation.TranslateBack(flags) is { } poolType ? " (the pool type is " + PoolTypeValue.Display(poolType) + ")" : string.Empty;
}
