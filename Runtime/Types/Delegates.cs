namespace PoolAnalyzers.Runtime;

/// <summary>A lookaside list's allocation callback: returns a block of at least <paramref name="NumberOfBytes"/> bytes, or NULL.</summary>
[IrqlRequiresMax(KIRQL.DISPATCH_LEVEL)]
public delegate nint PALLOCATE_FUNCTION(POOL_TYPE PoolType, nuint NumberOfBytes, PoolTag Tag);

/// <summary>A lookaside list's free callback: releases a block the matching <see cref="PALLOCATE_FUNCTION"/> returned.</summary>
[IrqlRequiresMax(KIRQL.DISPATCH_LEVEL)]
public delegate void PFREE_FUNCTION(nint Buffer);

/// <summary>
/// A deferred procedure call routine (<c>KDEFERRED_ROUTINE</c>): runs on an emulated processor at
/// DISPATCH_LEVEL after <c>KeInsertQueueDpc</c> queued <paramref name="Dpc"/>, or when a timer that
/// names the DPC expires, and must return at DISPATCH_LEVEL.
/// </summary>
/// <param name="Dpc">The DPC object that was queued.</param>
/// <param name="DeferredContext">The context given to <c>KeInitializeDpc</c>.</param>
/// <param name="SystemArgument1">The first argument given to <c>KeInsertQueueDpc</c> (null for a timer's DPC).</param>
/// <param name="SystemArgument2">The second argument given to <c>KeInsertQueueDpc</c> (null for a timer's DPC).</param>
[IrqlRequires(KIRQL.DISPATCH_LEVEL)]
[IrqlRequiresSame]
public delegate void PKDEFERRED_ROUTINE(KDPC Dpc, object? DeferredContext, object? SystemArgument1, object? SystemArgument2);
