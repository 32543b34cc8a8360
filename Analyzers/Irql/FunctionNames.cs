using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Irql;

/// <summary>How messages name a function.</summary>
internal static class FunctionNames
{
    /// <summary><c>Dpc</c>, <c>Driver</c> (a constructor), <c>Block.get</c> (an accessor), <c>lambda in Dpc</c> (after the member or field that holds it).</summary>
    public static string Display(ISymbol symbol) => symbol switch
    {
        IMethodSymbol { MethodKind: MethodKind.AnonymousFunction, ContainingSymbol: { } outer } => "lambda in " + Display(outer),
        IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor, ContainingType: { } type } => type.Name,
        IMethodSymbol { AssociatedSymbol: { } property, MethodKind: MethodKind.PropertyGet } => property.Name + ".get",
        IMethodSymbol { AssociatedSymbol: { } property, MethodKind: MethodKind.PropertySet } method => property.Name + (method.IsInitOnly ? ".init" : ".set"),
        IMethodSymbol { AssociatedSymbol: { } @event, MethodKind: MethodKind.EventAdd } => @event.Name + ".add",
        IMethodSymbol { AssociatedSymbol: { } @event, MethodKind: MethodKind.EventRemove } => @event.Name + ".remove",
        IMethodSymbol { Name: "<Main>$" } => "top-level statements",
        _ => symbol.Name,
    };
}
