namespace PoolAnalyzers.Runtime;

/// <summary>An outstanding allocation recorded by Driver Verifier pool tracking.</summary>
/// <param name="Address">The address the allocation routine returned.</param>
/// <param name="Tag">The tag it was allocated with.</param>
/// <param name="PoolType">The pool type requested.</param>
/// <param name="NumberOfBytes">The bytes requested.</param>
public readonly record struct PoolAllocationRecord(nint Address, PoolTag Tag, POOL_TYPE PoolType, nuint NumberOfBytes)
{
    /// <inheritdoc/>
    public override string ToString() => $"'{Tag}' {NumberOfBytes} bytes at 0x{(ulong)Address:X} ({PoolType})";
}
