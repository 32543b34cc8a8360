using Microsoft.CodeAnalysis;

namespace PoolAnalyzers;

/// <summary>
/// Reads the IRQL attributes (<c>PoolAnalyzers.Runtime.IrqlRequires*Attribute</c>) by full name, from
/// any assembly, so a project that declares its own copies is understood too.
/// </summary>
internal static class IrqlAnnotations
{
    public const int DispatchLevel = 2;

    /// <summary>
    /// The IRQL at or above DISPATCH_LEVEL that <paramref name="symbol"/>'s own attributes allow it to run at,
    /// or null when they allow only lower levels or it has none. <c>IrqlRequiresMax(x)</c> allows x;
    /// <c>IrqlRequires(x)</c> and <c>IrqlRequiresMin(x)</c> allow at least x.
    /// </summary>
    public static int? HighestPermittedAtOrAboveDispatch(ISymbol symbol)
    {
        foreach (AttributeData attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass is not { } attributeClass || !IsRuntimeNamespace(attributeClass.ContainingNamespace))
            {
                continue;
            }

            switch (attributeClass.Name)
            {
                case "IrqlRequiresMaxAttribute":
                case "IrqlRequiresMinAttribute":
                case "IrqlRequiresAttribute":
                    if (LevelArgument(attribute) is { } level && level >= DispatchLevel)
                    {
                        return level;
                    }

                    break;
            }
        }

        return null;
    }

    /// <summary>The KIRQL name of a level, for messages.</summary>
    public static string Name(int level) => level switch
    {
        0 => "PASSIVE_LEVEL",
        1 => "APC_LEVEL",
        2 => "DISPATCH_LEVEL",
        5 => "CMCI_LEVEL",
        12 => "SYNCH_LEVEL",
        13 => "CLOCK_LEVEL",
        14 => "IPI_LEVEL",
        15 => "HIGH_LEVEL",
        _ => "IRQL " + level.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

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

        return OperationExtensions.AsInt64(argument.Value) is { } value and >= 0 and <= byte.MaxValue ? (int)value : null;
    }

    private static bool IsRuntimeNamespace(INamespaceSymbol? ns)
        => ns is { Name: "Runtime" }
            && ns.ContainingNamespace is { Name: "PoolAnalyzers" } parent
            && parent.ContainingNamespace is { IsGlobalNamespace: true };
}
