using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PoolAnalyzers.Flow;

namespace PoolAnalyzers.Lifetime;

/// <summary>Which allocator a block belongs to, and so which routine must give it back.</summary>
internal enum BlockFamily
{
    /// <summary>Executive pool: <c>ExFreePool</c>, <c>ExFreePoolWithTag</c>, <c>ExFreePool2</c>.</summary>
    Pool,

    /// <summary>A nonpaged lookaside list: <c>ExFreeToNPagedLookasideList</c> on the same list.</summary>
    NPagedLookaside,

    /// <summary>A paged lookaside list: <c>ExFreeToPagedLookasideList</c> on the same list.</summary>
    PagedLookaside,

    /// <summary>A zone: <c>ExFreeToZone</c> / <c>ExInterlockedFreeToZone</c> on the same zone.</summary>
    Zone,

    /// <summary>Not a runtime allocator: <c>NativeMemory.Free</c>, <c>Marshal.FreeHGlobal</c>.</summary>
    Foreign,
}

/// <summary>One call in a function that hands out a block (<see cref="RuntimeRoutine.ReturnsBlock"/>), numbered in the order of the function's operations.</summary>
internal sealed class AllocationSite
{
    public AllocationSite(int number, IInvocationOperation call, RuntimeRoutine routine, bool mayBeNull, uint? tag, AccessPath? owner)
    {
        Number = number;
        Call = call;
        Routine = routine;
        MayBeNull = mayBeNull;
        Tag = tag;
        Owner = owner;
    }

    public int Number { get; }

    public IInvocationOperation Call { get; }

    public RuntimeRoutine Routine { get; }

    /// <summary>True when a failed call returns NULL for certain (the constant type or flags do not make it raise).</summary>
    public bool MayBeNull { get; }

    /// <summary>The constant tag of a pool block, without <c>PROTECTED_POOL</c>; null when unknown or not a pool block.</summary>
    public uint? Tag { get; }

    /// <summary>The lookaside list or zone the block came from, when the code names it by a path.</summary>
    public AccessPath? Owner { get; }

    public BlockFamily Family => FamilyOf(Routine);

    public static BlockFamily FamilyOf(RuntimeRoutine routine) => routine.Kind switch
    {
        RoutineKind.Allocate or RoutineKind.Free => BlockFamily.Pool,
        RoutineKind.LookasideAllocate or RoutineKind.LookasideFree => routine.Pool == RoutinePool.Paged ? BlockFamily.PagedLookaside : BlockFamily.NPagedLookaside,
        _ => BlockFamily.Zone,
    };

    public int Line => Call.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
}
