namespace PoolAnalyzers.Runtime;

/// <summary>A lookaside list's allocation callback: returns a block of at least <paramref name="NumberOfBytes"/> bytes, or NULL.</summary>
[IrqlRequiresMax(KIRQL.DISPATCH_LEVEL)]
public delegate nint PALLOCATE_FUNCTION(POOL_TYPE PoolType, nuint NumberOfBytes, PoolTag Tag);

/// <summary>A lookaside list's free callback: releases a block the matching <see cref="PALLOCATE_FUNCTION"/> returned.</summary>
[IrqlRequiresMax(KIRQL.DISPATCH_LEVEL)]
public delegate void PFREE_FUNCTION(nint Buffer);
