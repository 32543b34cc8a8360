namespace PoolAnalyzers;

/// <summary>Which pool a routine's memory comes from.</summary>
internal enum RoutinePool
{
    /// <summary>The routine takes no pool memory (IRQL, spin locks, queries, frees).</summary>
    None,

    /// <summary>The pool type or flags argument decides (<see cref="RuntimeRoutine.PoolType"/>, <see cref="RuntimeRoutine.PoolFlags"/>).</summary>
    Argument,

    /// <summary>Always paged pool, whatever the arguments: the paged lookaside routines.</summary>
    Paged,

    /// <summary>Always nonpaged pool, whatever the arguments: the nonpaged lookaside routines.</summary>
    NonPaged,
}
