using System;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
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
    /// <remarks>Read twice, from the outside in: once for the root and the number of members, once to fill an array of that size (most paths have none or one).</remarks>
    public static AccessPath? Of(IOperation? operation)
    {
        IOperation? current = Unwrap(operation);
        int count = 0;
        ISymbol? root;
        while (true)
        {
            switch (Step(ref current, count, out root, out _))
            {
                case StepResult.Member:
                    count++;
                    continue;
                case StepResult.Root:
                    break;
                default:
                    return null;
            }

            break;
        }

        ImmutableArray<ISymbol> members = ImmutableArray<ISymbol>.Empty;
        if (count > 0)
        {
            var insideOut = new ISymbol[count];
            current = Unwrap(operation);
            for (int i = count - 1; i >= 0; i--)
            {
                Step(ref current, count - 1 - i, out _, out ISymbol? member);
                insideOut[i] = member!;
            }

            members = ImmutableCollectionsMarshal.AsImmutableArray(insideOut);
        }

        return new AccessPath(root, members, Unwrap(operation)!.Syntax);
    }

    /// <summary>One step from the outside in: the root the path ends at, or a member and the operation under it.</summary>
    private static StepResult Step(ref IOperation? current, int membersSoFar, out ISymbol? root, out ISymbol? member)
    {
        root = null;
        member = null;
        switch (current)
        {
            case ILocalReferenceOperation local:
                root = local.Local;
                return StepResult.Root;
            case IParameterReferenceOperation parameter:
                root = parameter.Parameter;
                return StepResult.Root;
            case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                return StepResult.Root;
            case IFieldReferenceOperation { Field.IsStatic: true } field:
                root = field.Field;
                return StepResult.Root;
            case IFieldReferenceOperation { Instance: { } instance } field when membersSoFar < MaxMembers:
                member = field.Field;
                current = Unwrap(instance);
                return current is null ? StepResult.None : StepResult.Member;
            case IPropertyReferenceOperation { Arguments.IsEmpty: true, Property.IsStatic: true } property:
                root = property.Property;
                return StepResult.Root;
            case IPropertyReferenceOperation { Arguments.IsEmpty: true, Instance: { } instance } property when membersSoFar < MaxMembers:
                member = property.Property;
                current = Unwrap(instance);
                return current is null ? StepResult.None : StepResult.Member;
            default:
                return StepResult.None;
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

    private enum StepResult
    {
        None,
        Root,
        Member,
    }
}
