using Microsoft.CodeAnalysis;

namespace PoolAnalyzers;

/// <summary>
/// Reads the IRQL attributes (<c>PoolAnalyzers.Runtime.IrqlRequires*Attribute</c>) by full name, from
/// any assembly, so a project that declares its own copies is understood too. Only top-level classes
/// of the namespace <c>PoolAnalyzers.Runtime</c> count: a class nested in another type is not one of them.
/// </summary>
internal static class IrqlAnnotations
{
    public const int DispatchLevel = 2;

    /// <summary>
    /// The highest IRQL that <paramref name="symbol"/>'s own attributes let it run at, when that is
    /// DISPATCH_LEVEL or higher; null when they allow only lower levels or it has none.
    /// <c>IrqlRequiresMax(x)</c> allows x; <c>IrqlRequires(x)</c> and <c>IrqlRequiresMin(x)</c> allow at
    /// least x. With several attributes the highest level named wins, so
    /// <c>[IrqlRequiresMin(DISPATCH_LEVEL), IrqlRequiresMax(HIGH_LEVEL)]</c> gives HIGH_LEVEL.
    /// </summary>
    public static int? HighestPermittedAtOrAboveDispatch(ISymbol symbol)
    {
        int? highest = null;
        foreach (AttributeData attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass is not { ContainingType: null } attributeClass || !IsRuntimeNamespace(attributeClass.ContainingNamespace))
            {
                continue;
            }

            switch (attributeClass.Name)
            {
                case "IrqlRequiresMaxAttribute":
                case "IrqlRequiresMinAttribute":
                case "IrqlRequiresAttribute":
                    if (LevelArgument(attribute) is { } level && level >= DispatchLevel && (highest is null || level > highest))
                    {
                        highest = level;
                    }

                    break;
            }
        }

        return highest;
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
