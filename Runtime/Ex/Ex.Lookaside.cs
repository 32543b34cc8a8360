using System;
using static PoolAnalyzers.Runtime.KIRQL;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime;

// Lookaside lists: per-driver caches of fixed-size entries in front of the pool. The behaviour is
// the kernel's: nothing preallocated, Depth starts at 4 and is tuned by the system's scan, a miss
// calls the Allocate routine, a free beyond Depth calls the Free routine.
public static partial class Ex
{
    /// <summary>
    /// Initializes a lookaside list of nonpaged entries of <paramref name="Size"/> bytes and registers
    /// it with the current <see cref="KernelSystem"/>'s depth scan. No entry is preallocated.
    /// </summary>
    /// <param name="Lookaside">The caller-allocated list.</param>
    /// <param name="Allocate">Called with (Type, Size, Tag) when the list is empty; NULL means <see cref="ExAllocatePoolWithTag"/>.</param>
    /// <param name="Free">Called when the list is full; NULL means <see cref="ExFreePool"/>.</param>
    /// <param name="Flags">0, or POOL_RAISE_IF_ALLOCATION_FAILURE and/or POOL_NX_ALLOCATION, ORed into the list's type.</param>
    /// <param name="Size">The entry size, at least LOOKASIDE_MINIMUM_BLOCK_SIZE (8).</param>
    /// <param name="Tag">The pool tag passed to <paramref name="Allocate"/>.</param>
    /// <param name="Depth">Reserved and ignored, as in the kernel: the list starts at depth 4.</param>
    /// <exception cref="ArgumentException">Size below 8 or above ULONG, or a flag other than the two accepted.</exception>
    /// <exception cref="InvalidOperationException">The list is already initialized.</exception>
    /// <exception cref="ObjectDisposedException">The machine the list was initialized on (for initialization: the current machine) has been disposed.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static void ExInitializeNPagedLookasideList(NPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION? Allocate, PFREE_FUNCTION? Free, uint Flags, nuint Size, PoolTag Tag, ushort Depth)
    {
        ArgumentNullException.ThrowIfNull(Lookaside);
        RoutineIrql.RequireMax(DISPATCH_LEVEL, nameof(ExInitializeNPagedLookasideList));
        const uint accepted = (uint)(POOL_RAISE_IF_ALLOCATION_FAILURE | POOL_NX_ALLOCATION);
        CheckLookasideFlags(Flags, accepted, nameof(ExInitializeNPagedLookasideList),
            "POOL_RAISE_IF_ALLOCATION_FAILURE (0x10) and POOL_NX_ALLOCATION (0x200)");
        Lookaside.Initialize(nameof(ExInitializeNPagedLookasideList), Allocate, Free, NonPagedPool | (POOL_TYPE)Flags, Size, Tag);
    }

    /// <summary>Takes an entry from the list, or calls its Allocate routine when the list is empty.</summary>
    /// <returns>The entry, or NULL when the Allocate routine fails.</returns>
    /// <exception cref="InvalidOperationException">The list was never initialized or was deleted.</exception>
    /// <exception cref="ObjectDisposedException">The machine the list was initialized on (for initialization: the current machine) has been disposed.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static nint ExAllocateFromNPagedLookasideList(NPAGED_LOOKASIDE_LIST Lookaside)
    {
        ArgumentNullException.ThrowIfNull(Lookaside);
        KernelThread thread = RoutineIrql.RequireMax(KernelThread.Current, DISPATCH_LEVEL, nameof(ExAllocateFromNPagedLookasideList));
        return Lookaside.Allocate(thread, nameof(ExAllocateFromNPagedLookasideList));
    }

    /// <summary>Caches <paramref name="Entry"/> in the list, or calls its Free routine when the list already holds Depth entries.</summary>
    /// <exception cref="ArgumentException"><paramref name="Entry"/> is NULL.</exception>
    /// <exception cref="InvalidOperationException">The list was never initialized or was deleted.</exception>
    /// <exception cref="ObjectDisposedException">The machine the list was initialized on (for initialization: the current machine) has been disposed.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static void ExFreeToNPagedLookasideList(NPAGED_LOOKASIDE_LIST Lookaside, nint Entry)
    {
        ArgumentNullException.ThrowIfNull(Lookaside);
        KernelThread thread = RoutineIrql.RequireMax(KernelThread.Current, DISPATCH_LEVEL, nameof(ExFreeToNPagedLookasideList), Entry, write: true);
        Lookaside.Free(thread, nameof(ExFreeToNPagedLookasideList), Entry);
    }

    /// <summary>Frees every cached entry through the Free routine and unregisters the list from the depth scan.</summary>
    /// <exception cref="InvalidOperationException">The list was never initialized or was already deleted.</exception>
    /// <exception cref="ObjectDisposedException">The machine the list was initialized on (for initialization: the current machine) has been disposed.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    [IrqlRequiresMax(DISPATCH_LEVEL)]
    public static void ExDeleteNPagedLookasideList(NPAGED_LOOKASIDE_LIST Lookaside)
    {
        ArgumentNullException.ThrowIfNull(Lookaside);
        RoutineIrql.RequireMax(DISPATCH_LEVEL, nameof(ExDeleteNPagedLookasideList));
        Lookaside.Delete(nameof(ExDeleteNPagedLookasideList));
    }

    /// <summary>
    /// Initializes a lookaside list of pageable entries of <paramref name="Size"/> bytes and registers
    /// it with the current <see cref="KernelSystem"/>'s depth scan. No entry is preallocated.
    /// </summary>
    /// <param name="Lookaside">The caller-allocated list.</param>
    /// <param name="Allocate">Called with (Type, Size, Tag) when the list is empty; NULL means <see cref="ExAllocatePoolWithTag"/>.</param>
    /// <param name="Free">Called when the list is full; NULL means <see cref="ExFreePool"/>.</param>
    /// <param name="Flags">0 or POOL_RAISE_IF_ALLOCATION_FAILURE, ORed into the list's type. POOL_NX_ALLOCATION is accepted and, as documented, has no effect: pageable memory is always no-execute.</param>
    /// <param name="Size">The entry size, at least LOOKASIDE_MINIMUM_BLOCK_SIZE (8).</param>
    /// <param name="Tag">The pool tag passed to <paramref name="Allocate"/>.</param>
    /// <param name="Depth">Reserved and ignored, as in the kernel: the list starts at depth 4.</param>
    /// <exception cref="ArgumentException">Size below 8 or above ULONG, or a flag other than the accepted ones.</exception>
    /// <exception cref="InvalidOperationException">The list is already initialized.</exception>
    /// <exception cref="ObjectDisposedException">The machine the list was initialized on (for initialization: the current machine) has been disposed.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above APC_LEVEL.</exception>
    [IrqlRequiresMax(APC_LEVEL)]
    public static void ExInitializePagedLookasideList(PAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION? Allocate, PFREE_FUNCTION? Free, uint Flags, nuint Size, PoolTag Tag, ushort Depth)
    {
        ArgumentNullException.ThrowIfNull(Lookaside);
        RoutineIrql.RequireMax(APC_LEVEL, nameof(ExInitializePagedLookasideList));
        const uint accepted = (uint)(POOL_RAISE_IF_ALLOCATION_FAILURE | POOL_NX_ALLOCATION);
        CheckLookasideFlags(Flags, accepted, nameof(ExInitializePagedLookasideList),
            "POOL_RAISE_IF_ALLOCATION_FAILURE (0x10) and POOL_NX_ALLOCATION (0x200, no effect on paged memory)");
        POOL_TYPE type = PagedPool | ((POOL_TYPE)Flags & POOL_RAISE_IF_ALLOCATION_FAILURE);
        Lookaside.Initialize(nameof(ExInitializePagedLookasideList), Allocate, Free, type, Size, Tag);
    }

    /// <summary>Takes an entry from the list, or calls its Allocate routine when the list is empty.</summary>
    /// <returns>The entry, or NULL when the Allocate routine fails.</returns>
    /// <exception cref="InvalidOperationException">The list was never initialized or was deleted.</exception>
    /// <exception cref="ObjectDisposedException">The machine the list was initialized on (for initialization: the current machine) has been disposed.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above APC_LEVEL.</exception>
    [IrqlRequiresMax(APC_LEVEL)]
    public static nint ExAllocateFromPagedLookasideList(PAGED_LOOKASIDE_LIST Lookaside)
    {
        ArgumentNullException.ThrowIfNull(Lookaside);
        KernelThread thread = RoutineIrql.RequireMax(KernelThread.Current, APC_LEVEL, nameof(ExAllocateFromPagedLookasideList));
        return Lookaside.Allocate(thread, nameof(ExAllocateFromPagedLookasideList));
    }

    /// <summary>Caches <paramref name="Entry"/> in the list, or calls its Free routine when the list already holds Depth entries.</summary>
    /// <exception cref="ArgumentException"><paramref name="Entry"/> is NULL.</exception>
    /// <exception cref="InvalidOperationException">The list was never initialized or was deleted.</exception>
    /// <exception cref="ObjectDisposedException">The machine the list was initialized on (for initialization: the current machine) has been disposed.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above APC_LEVEL.</exception>
    [IrqlRequiresMax(APC_LEVEL)]
    public static void ExFreeToPagedLookasideList(PAGED_LOOKASIDE_LIST Lookaside, nint Entry)
    {
        ArgumentNullException.ThrowIfNull(Lookaside);
        KernelThread thread = RoutineIrql.RequireMax(KernelThread.Current, APC_LEVEL, nameof(ExFreeToPagedLookasideList), Entry, write: true);
        Lookaside.Free(thread, nameof(ExFreeToPagedLookasideList), Entry);
    }

    /// <summary>Frees every cached entry through the Free routine and unregisters the list from the depth scan.</summary>
    /// <exception cref="InvalidOperationException">The list was never initialized or was already deleted.</exception>
    /// <exception cref="ObjectDisposedException">The machine the list was initialized on (for initialization: the current machine) has been disposed.</exception>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above APC_LEVEL.</exception>
    [IrqlRequiresMax(APC_LEVEL)]
    public static void ExDeletePagedLookasideList(PAGED_LOOKASIDE_LIST Lookaside)
    {
        ArgumentNullException.ThrowIfNull(Lookaside);
        RoutineIrql.RequireMax(APC_LEVEL, nameof(ExDeletePagedLookasideList));
        Lookaside.Delete(nameof(ExDeletePagedLookasideList));
    }

    private static void CheckLookasideFlags(uint flags, uint accepted, string routine, string acceptedNames)
    {
        uint rejected = flags & ~accepted;
        if (rejected != 0)
        {
            throw new ArgumentException(
                $"{routine}: Flags 0x{flags:X} has unsupported bits 0x{rejected:X}; the accepted flags are {acceptedNames}.",
                "Flags");
        }
    }
}
