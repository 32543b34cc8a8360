using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Irql;

/// <summary>
/// What a routine's IRQL attributes (<c>PoolAnalyzers.Runtime.Irql*Attribute</c>, the C# form of the SAL
/// <c>_IRQL_*_</c> annotations) say: the IRQL its callers must run at, the IRQL it leaves behind, and
/// which parameter or return value saves or restores an IRQL. Read by full name from any assembly, so
/// a project's own copies of the attributes count; a delegate type's attributes describe every method
/// or lambda converted to it.
/// </summary>
internal sealed class IrqlContract
{
    private static readonly IrqlContract s_none = new(IrqlLevels.Passive, IrqlLevels.High, 0, false, null, false, [], false, -1, null, false);

    private IrqlContract(int min, int max, ushort entryLevels, bool statesEntry, int? raises, bool requiresSame, ImmutableArray<int> savesParameters, bool savesReturn, int restoresParameter, string? annotation, bool isAnnotated)
    {
        Min = min;
        Max = max;
        EntryLevels = entryLevels;
        StatesEntry = statesEntry;
        Raises = raises;
        RequiresSame = requiresSame;
        SavesParameters = savesParameters;
        SavesReturn = savesReturn;
        RestoresParameter = restoresParameter;
        Annotation = annotation;
        IsAnnotated = isAnnotated;
    }

    /// <summary>The lowest IRQL a caller may run at.</summary>
    public int Min { get; }

    /// <summary>The highest IRQL a caller may run at.</summary>
    public int Max { get; }

    /// <summary>The levels a caller may run at; every level when the routine states nothing.</summary>
    public ushort Allowed => IrqlLevels.Range(Min, Max);

    public bool HasRequirement => Min > IrqlLevels.Passive || Max < IrqlLevels.High;

    /// <summary>
    /// The levels the routine itself may be entered at according to its requirement attributes, 0 when it
    /// states none. <c>IrqlRequiresMin(x)</c> alone gives only x: levels above it are possible but unknown,
    /// and an unknown level never produces a finding.
    /// </summary>
    public ushort EntryLevels { get; }

    /// <summary>True when the routine states the IRQL it runs at (<c>IrqlRequires</c>, <c>…Max</c> or <c>…Min</c>).</summary>
    public bool StatesEntry { get; }

    /// <summary>The level <c>[IrqlRaises]</c> says the routine returns at.</summary>
    public int? Raises { get; }

    public bool RequiresSame { get; }

    /// <summary>Ordinals of the parameters marked <c>[IrqlSaves]</c>: the routine stores the IRQL current at the call there.</summary>
    public ImmutableArray<int> SavesParameters { get; }

    /// <summary><c>[return: IrqlSaves]</c>: the routine returns the IRQL current at the call.</summary>
    public bool SavesReturn { get; }

    /// <summary>The ordinal of the <c>[IrqlRestores]</c> parameter (the routine returns at the IRQL it holds), or -1.</summary>
    public int RestoresParameter { get; }

    /// <summary>True when the routine is meant to return at another IRQL than it was called at: it raises, saves or restores.</summary>
    public bool ChangesIrqlByContract => Raises is not null || !SavesParameters.IsEmpty || SavesReturn || RestoresParameter >= 0;

    /// <summary>The requirement attributes as written, for messages: <c>[IrqlRequiresMax(DISPATCH_LEVEL)]</c>.</summary>
    public string? Annotation { get; }

    /// <summary>True when any IRQL attribute is present.</summary>
    public bool IsAnnotated { get; }

    /// <summary>The contract of a method, constructor, accessor, local function or lambda, or of a delegate type (its Invoke method's parameters included).</summary>
    public static IrqlContract Of(ISymbol symbol)
    {
        var method = symbol as IMethodSymbol;
        if (symbol is INamedTypeSymbol { TypeKind: TypeKind.Delegate, DelegateInvokeMethod: { } invoke })
        {
            method = invoke;
        }

        var reader = new Reader();
        reader.ReadRoutine(symbol.GetAttributes());
        if (method is not null)
        {
            if (!ReferenceEquals(method, symbol))
            {
                reader.ReadRoutine(method.GetAttributes());
            }

            foreach (IParameterSymbol parameter in method.Parameters)
            {
                reader.ReadParameter(parameter.GetAttributes(), parameter.Ordinal);
            }

            reader.ReadReturn(method.GetReturnTypeAttributes());
        }

        return reader.Build();
    }

    /// <summary>True for a top-level class of the namespace <c>PoolAnalyzers.Runtime</c>, wherever it is declared.</summary>
    private static bool IsRuntimeAttribute(INamedTypeSymbol? attributeClass)
        => attributeClass is { ContainingType: null, ContainingNamespace: { Name: "Runtime" } ns }
            && ns.ContainingNamespace is { Name: "PoolAnalyzers" } parent
            && parent.ContainingNamespace is { IsGlobalNamespace: true };

    private static int? LevelArgument(AttributeData attribute)
    {
        if (attribute.ConstructorArguments.Length != 1)
        {
            return null;
        }

        TypedConstant argument = attribute.ConstructorArguments[0];
        if (argument.Kind is not (TypedConstantKind.Enum or TypedConstantKind.Primitive))
        {
            return null;
        }

        return OperationExtensions.AsInt64(argument.Value) is { } value && IrqlLevels.IsValid(value) ? (int)value : null;
    }

    private sealed class Reader
    {
        private int? _min;
        private int? _max;
        private int? _exact;
        private int? _raises;
        private bool _same;
        private bool _savesReturn;
        private int _restores = -1;
        private bool _annotated;
        private ImmutableArray<int>.Builder? _saves;
        private string? _annotation;

        public void ReadRoutine(ImmutableArray<AttributeData> attributes)
        {
            foreach (AttributeData attribute in attributes)
            {
                if (!IsRuntimeAttribute(attribute.AttributeClass))
                {
                    continue;
                }

                string name = attribute.AttributeClass!.Name;
                switch (name)
                {
                    case "IrqlRequiresMaxAttribute" when LevelArgument(attribute) is { } max:
                        _max = _max is null ? max : System.Math.Min(_max.Value, max);
                        Note(name, max);
                        break;
                    case "IrqlRequiresMinAttribute" when LevelArgument(attribute) is { } min:
                        _min = _min is null ? min : System.Math.Max(_min.Value, min);
                        Note(name, min);
                        break;
                    case "IrqlRequiresAttribute" when LevelArgument(attribute) is { } exact:
                        _exact = exact;
                        Note(name, exact);
                        break;
                    case "IrqlRaisesAttribute" when LevelArgument(attribute) is { } raises:
                        _raises = raises;
                        _annotated = true;
                        break;
                    case "IrqlRequiresSameAttribute":
                        _same = true;
                        _annotated = true;
                        break;
                }
            }
        }

        public void ReadParameter(ImmutableArray<AttributeData> attributes, int ordinal)
        {
            foreach (AttributeData attribute in attributes)
            {
                if (IsRuntimeAttribute(attribute.AttributeClass))
                {
                    switch (attribute.AttributeClass!.Name)
                    {
                        case "IrqlSavesAttribute":
                            (_saves ??= ImmutableArray.CreateBuilder<int>()).Add(ordinal);
                            _annotated = true;
                            break;
                        case "IrqlRestoresAttribute" when _restores < 0:
                            _restores = ordinal;
                            _annotated = true;
                            break;
                    }
                }
            }
        }

        public void ReadReturn(ImmutableArray<AttributeData> attributes)
        {
            foreach (AttributeData attribute in attributes)
            {
                if (IsRuntimeAttribute(attribute.AttributeClass) && attribute.AttributeClass!.Name == "IrqlSavesAttribute")
                {
                    _savesReturn = true;
                    _annotated = true;
                }
            }
        }

        public IrqlContract Build()
        {
            if (!_annotated)
            {
                return s_none;
            }

            int min = _exact ?? _min ?? IrqlLevels.Passive;
            int max = _exact ?? _max ?? IrqlLevels.High;
            if (_exact is not null)
            {
                min = System.Math.Max(min, _min ?? min);
                max = System.Math.Min(max, _max ?? max);
            }

            ushort entry = _exact is not null || _max is not null ? IrqlLevels.Range(min, max)
                : _min is not null ? IrqlLevels.Bit(min)
                : (ushort)0;
            bool statesEntry = _exact is not null || _max is not null || _min is not null;
            return new IrqlContract(min, max, entry, statesEntry, _raises, _same, _saves?.ToImmutable() ?? [], _savesReturn, _restores, _annotation, true);
        }

        private void Note(string attributeName, int level)
        {
            _annotated = true;
            string text = "[" + attributeName.Substring(0, attributeName.Length - "Attribute".Length) + "(" + IrqlLevels.Name(level) + ")]";
            _annotation = _annotation is null ? text : _annotation + text;
        }
    }
}
