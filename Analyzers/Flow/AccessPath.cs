using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers.Flow;

/// <summary>
/// A storage location a flow analysis can follow by name: a local, a parameter, <c>this</c> or a static
/// field, then up to <see cref="MaxMembers"/> fields or properties (<c>old</c>, <c>_lock</c>,
/// <c>device.QueueLock</c>, <c>this._handle</c>). Two paths are equal when they name the same symbols,
/// whatever the spelling; anything else (an element, a call result) has no path.
/// </summary>
internal sealed class AccessPath : IEquatable<AccessPath>
{
    private const int MaxMembers = 4;

    private readonly ISymbol? _root;
    private readonly ImmutableArray<ISymbol> _members;
    private readonly SyntaxNode _spelling;
    private string? _text;

    private AccessPath(ISymbol? root, ImmutableArray<ISymbol> members, SyntaxNode spelling)
    {
        _root = root;
        _members = members;
        _spelling = spelling;
    }

    /// <summary>How the code spelled the path where it was first seen, for messages (taken from the syntax only when a message needs it).</summary>
    public string Text => _text ??= _spelling.ToString();

    /// <summary>The local or parameter the path starts at, or null for <c>this</c>, a static member, or a longer path.</summary>
    public ISymbol? Variable => _members.IsEmpty ? _root : null;

    /// <summary>The path of a reference, looking through declarations (<c>out var x</c>) and implicit conversions; null when it has none.</summary>
    public static AccessPath? Of(IOperation? operation)
    {
        IOperation? current = Unwrap(operation);
        if (current is null)
        {
            return null;
        }

        // Members from the outside in; most paths have none or one, so no builder is allocated up front.
        ISymbol[]? members = null;
        int count = 0;
        while (true)
        {
            switch (current)
            {
                case ILocalReferenceOperation local:
                    return Create(local.Local, members, count, operation!);
                case IParameterReferenceOperation parameter:
                    return Create(parameter.Parameter, members, count, operation!);
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                    return Create(null, members, count, operation!);
                case IFieldReferenceOperation { Field.IsStatic: true } field:
                    return Create(field.Field, members, count, operation!);
                case IFieldReferenceOperation { Instance: { } instance } field when count < MaxMembers:
                    (members ??= new ISymbol[MaxMembers])[count++] = field.Field;
                    current = Unwrap(instance);
                    break;
                case IPropertyReferenceOperation { Arguments.IsEmpty: true, Property.IsStatic: true } property:
                    return Create(property.Property, members, count, operation!);
                case IPropertyReferenceOperation { Arguments.IsEmpty: true, Instance: { } instance } property when count < MaxMembers:
                    (members ??= new ISymbol[MaxMembers])[count++] = property.Property;
                    current = Unwrap(instance);
                    break;
                default:
                    return null;
            }

            if (current is null)
            {
                return null;
            }
        }
    }

    /// <summary>The path of a declared local, spelled by its declaration.</summary>
    public static AccessPath OfDeclared(ILocalSymbol local, SyntaxNode spelling) => new(local, ImmutableArray<ISymbol>.Empty, spelling);

    public bool Equals(AccessPath? other)
    {
        if (other is null || !SymbolEqualityComparer.Default.Equals(_root, other._root) || _members.Length != other._members.Length)
        {
            return false;
        }

        for (int i = 0; i < _members.Length; i++)
        {
            if (!SymbolEqualityComparer.Default.Equals(_members[i], other._members[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => Equals(obj as AccessPath);

    public override int GetHashCode()
    {
        int hash = _root is null ? 17 : SymbolEqualityComparer.Default.GetHashCode(_root);
        foreach (ISymbol member in _members)
        {
            hash = unchecked((hash * 31) + SymbolEqualityComparer.Default.GetHashCode(member));
        }

        return hash;
    }

    public override string ToString() => Text;

    private static AccessPath Create(ISymbol? root, ISymbol[]? outsideIn, int count, IOperation reference)
    {
        ImmutableArray<ISymbol> members = ImmutableArray<ISymbol>.Empty;
        if (count > 0)
        {
            ImmutableArray<ISymbol>.Builder insideOut = ImmutableArray.CreateBuilder<ISymbol>(count);
            for (int i = count - 1; i >= 0; i--)
            {
                insideOut.Add(outsideIn![i]);
            }

            members = insideOut.MoveToImmutable();
        }

        return new AccessPath(root, members, Unwrap(reference)!.Syntax);
    }

    private static IOperation? Unwrap(IOperation? operation)
    {
        while (true)
        {
            switch (operation)
            {
                case IDeclarationExpressionOperation declaration:
                    operation = declaration.Expression;
                    break;
                case IConversionOperation { IsImplicit: true, OperatorMethod: null } conversion:
                    operation = conversion.Operand;
                    break;
                default:
                    return operation;
            }
        }
    }
}
