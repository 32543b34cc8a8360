using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace PoolAnalyzers;

/// <summary>
/// Compares by reference. For caches keyed by a symbol that is always the same object where it matters
/// (a definition of this compilation or of a referenced assembly): hashing a reference is cheaper than
/// <c>SymbolEqualityComparer</c>, which hashes a method's containing type, name and parameters on every
/// lookup. A second object for an equal symbol only costs one more entry with the same value.
/// </summary>
internal sealed class ReferenceComparer<T> : IEqualityComparer<T>
    where T : class
{
    public static readonly ReferenceComparer<T> Instance = new();

    public bool Equals(T? x, T? y) => ReferenceEquals(x, y);

    public int GetHashCode(T obj) => RuntimeHelpers.GetHashCode(obj);
}
