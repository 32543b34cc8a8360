using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Lifetime;

/// <summary>What a call outside the runtime does with the pointers it is given.</summary>
internal enum PointerCall
{
    /// <summary>Nothing the analysis knows: a pointer passed to it changes owner.</summary>
    None,

    /// <summary>Reads or writes the memory behind its pointer arguments (POOL009 needs them checked first).</summary>
    Use,

    /// <summary>Frees memory of another allocator (POOL011 when the block is pool memory).</summary>
    ForeignFree,
}

/// <summary>
/// The .NET APIs that dereference or free a raw pointer: <c>Marshal</c>'s <c>Read*</c>/<c>Write*</c>/<c>Copy</c>
/// and <c>FreeHGlobal</c>/<c>FreeCoTaskMem</c>; <c>NativeMemory</c>'s <c>Clear</c>/<c>Copy</c>/<c>Fill</c> and
/// <c>Free</c>/<c>AlignedFree</c>; every <c>Unsafe</c> method; <c>Buffer.MemoryCopy</c>; the pointer
/// constructors of <c>Span&lt;T&gt;</c> and <c>ReadOnlySpan&lt;T&gt;</c>. Recognised by full name, so any
/// copy of the core library matches (they are the framework's own types, never the runtime's).
/// </summary>
internal static class PointerApis
{
    public static PointerCall Classify(IMethodSymbol method)
    {
        INamedTypeSymbol type = method.ContainingType;
        string name = method.Name;
        switch (type.Name)
        {
            case "Marshal" when In(type, "System", "Runtime", "InteropServices"):
                return name is "FreeHGlobal" or "FreeCoTaskMem" ? PointerCall.ForeignFree
                    : name.StartsWith("Read", System.StringComparison.Ordinal) || name.StartsWith("Write", System.StringComparison.Ordinal) || name == "Copy" ? PointerCall.Use
                    : PointerCall.None;
            case "NativeMemory" when In(type, "System", "Runtime", "InteropServices"):
                return name is "Free" or "AlignedFree" ? PointerCall.ForeignFree
                    : name is "Clear" or "Copy" or "Fill" ? PointerCall.Use
                    : PointerCall.None;
            case "Unsafe" when In(type, "System", "Runtime", "CompilerServices"):
                return PointerCall.Use;
            case "Buffer" when name == "MemoryCopy" && In(type, "System", null, null):
                return PointerCall.Use;
            case "Span" or "ReadOnlySpan" when method.MethodKind == MethodKind.Constructor && type.Arity == 1 && In(type, "System", null, null):
                return PointerCall.Use;
            default:
                return PointerCall.None;
        }
    }

    /// <summary>True for a parameter that carries an address: a pointer, <c>nint</c> or <c>nuint</c>.</summary>
    public static bool CarriesAddress(IParameterSymbol? parameter)
        => parameter?.Type is { TypeKind: TypeKind.Pointer } or { SpecialType: SpecialType.System_IntPtr or SpecialType.System_UIntPtr };

    /// <summary>True when <paramref name="type"/> is a top-level type of namespace <c>first[.second[.third]]</c>.</summary>
    private static bool In(INamedTypeSymbol type, string first, string? second, string? third)
    {
        if (type.ContainingType is not null)
        {
            return false;
        }

        INamespaceSymbol? ns = type.ContainingNamespace;
        foreach (string? part in new[] { third, second, first })
        {
            if (part is null)
            {
                continue;
            }

            if (ns is null || ns.Name != part)
            {
                return false;
            }

            ns = ns.ContainingNamespace;
        }

        return ns is { IsGlobalNamespace: true };
    }
}
