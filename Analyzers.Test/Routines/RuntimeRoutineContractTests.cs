using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using PoolAnalyzers.Runtime;
using Xunit;

namespace PoolAnalyzers.Test.Routines;

/// <summary>
/// <see cref="RuntimeRoutines"/> against the runtime it describes: every row names a real public
/// routine and real parameters of the type its role needs, and every public routine of <c>Ex</c>,
/// <c>Ke</c>, <c>Mm</c> and <c>Rtl</c> has a row. A routine added to the runtime, or a parameter
/// renamed there, fails here instead of turning a rule silently off.
/// </summary>
public sealed class RuntimeRoutineContractTests
{
    private static readonly Assembly s_runtime = typeof(Ex).Assembly;

    /// <summary>The runtime type each role's parameter must have, by name (so roles of types still to come need no change here).</summary>
    private static readonly (string Role, Func<RuntimeRoutine, string?> Parameter, Func<Type, bool> Accepts, string Expected)[] s_roles =
    [
        ("poolType", r => r.PoolType, t => IsRuntimeType(t, "POOL_TYPE"), "POOL_TYPE"),
        ("poolFlags", r => r.PoolFlags, t => IsRuntimeType(t, "POOL_FLAGS"), "POOL_FLAGS"),
        ("typeModifiers", r => r.TypeModifiers, t => t == typeof(uint), "uint"),
        ("size", r => r.Size, IsUnsignedCount, "an unsigned count"),
        ("segmentSize", r => r.SegmentSize, IsUnsignedCount, "an unsigned count"),
        ("length", r => r.Length, IsUnsignedCount, "an unsigned count"),
        ("tag", r => r.Tag, t => t == typeof(PoolTag), "PoolTag"),
        ("priority", r => r.Priority, t => IsRuntimeType(t, "EX_POOL_PRIORITY"), "EX_POOL_PRIORITY"),
        ("target", r => r.Target, t => t.IsClass && !typeof(Delegate).IsAssignableFrom(t) && t.Namespace == typeof(Ex).Namespace, "a caller-allocated runtime structure"),
        ("block", r => r.Block, t => t == typeof(nint), "nint"),
        ("routine", r => r.Routine, t => IsRuntimeType(t, "PKDEFERRED_ROUTINE"), "PKDEFERRED_ROUTINE"),
        ("dpc", r => r.Dpc, t => IsRuntimeType(t, "KDPC"), "KDPC"),
        ("irql", r => r.Irql, t => IsRuntimeType(t, "KIRQL"), "KIRQL"),
        ("handle", r => r.Handle, t => IsRuntimeType(t, "KLOCK_QUEUE_HANDLE"), "KLOCK_QUEUE_HANDLE"),
    ];

    public static TheoryData<string> Rows() => [.. RuntimeRoutines.All.Select(r => r.Name)];

    [Fact]
    public void Rows_AreUniqueAndInTheirComponentsNamespace()
    {
        var failures = RuntimeRoutines.All.GroupBy(r => r.Name).Where(g => g.Count() > 1).Select(g => $"{g.Key} has {g.Count()} rows").ToList();
        failures.AddRange(RuntimeRoutines.All.Where(r => !RuntimeRoutines.Components.Contains(r.Component)).Select(r => $"{r}: '{r.Component}' is not one of the components"));
        failures.AddRange(RuntimeRoutines.All.Where(r => !r.Name.StartsWith(r.Component, StringComparison.Ordinal)).Select(r => $"{r}: the name does not carry its component's prefix"));
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Row_NamesARealRoutineAndItsParameters(string name)
    {
        RuntimeRoutine row = RuntimeRoutines.All.Single(r => r.Name == name);
        MethodInfo method = Routine(row.Component, row.Name);
        var failures = new List<string>();
        foreach ((string? role, Func<RuntimeRoutine, string?>? parameterOf, Func<Type, bool>? accepts, string? expected) in s_roles)
        {
            if (parameterOf(row) is not { } parameterName)
            {
                continue;
            }

            ParameterInfo? parameter = Array.Find(method.GetParameters(), p => p.Name == parameterName);
            if (parameter is null)
            {
                failures.Add($"{role}: {row} has no parameter '{parameterName}' (it has {string.Join(", ", method.GetParameters().Select(p => p.Name))})");
            }
            else if (!accepts(Unwrapped(parameter.ParameterType)))
            {
                failures.Add($"{role}: '{parameterName}' of {row} is {parameter.ParameterType.Name}; the role needs {expected}");
            }
        }

        if (row.Replacement is { } replacement && RuntimeRoutines.Find(row.Component, replacement) is null)
        {
            failures.Add($"replacement: {row.Component}.{replacement} has no row");
        }

        failures.AddRange(KindProblems(row));
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void EveryPublicRoutineOfTheComponents_HasARow()
    {
        var components = RuntimeRoutines.Components.Select(c => s_runtime.GetType(typeof(Ex).Namespace + "." + c)).OfType<Type>().ToList();
        Assert.Contains(typeof(Ex), components);
        var missing = components
            .SelectMany(type => PublicRoutines(type).Select(m => (type.Name, m.Name)))
            .Where(routine => RuntimeRoutines.Find(routine.Item1, routine.Item2) is null)
            .Select(routine => $"{routine.Item1}.{routine.Item2} has no row in Analyzers/Routines/RuntimeRoutines.cs")
            .ToList();
        Assert.True(missing.Count == 0, string.Join(Environment.NewLine, missing));
    }

    [Fact]
    public void PagedOnlyRoutines_RequireAtMostApcLevel()
    {
        IEnumerable<string> failures = RuntimeRoutines.All
            .Where(r => r.Pool == RoutinePool.Paged)
            .Where(r => Routine(r.Component, r.Name).GetCustomAttribute<IrqlRequiresMaxAttribute>() is not { Irql: <= KIRQL.APC_LEVEL })
            .Select(r => $"{r} draws on paged pool, but its metadata does not say [IrqlRequiresMax(APC_LEVEL)] or lower");
        Assert.Empty(failures);
    }

    /// <summary>What a row of each kind must carry for the rules that read that kind.</summary>
    private static IEnumerable<string> KindProblems(RuntimeRoutine row)
    {
        switch (row.Kind)
        {
            case RoutineKind.Allocate:
                if (row.Size is null || (row.PoolType is null) == (row.PoolFlags is null) || row.Pool != RoutinePool.Argument)
                {
                    yield return $"{row}: an allocation names its size and exactly one of poolType / poolFlags, and its pool is Argument";
                }

                if (row.IsUntaggedAllocation && row.Replacement is null)
                {
                    yield return $"{row}: an untagged allocation names its tagged replacement (POOL001)";
                }

                break;
            case RoutineKind.Free or RoutineKind.LookasideFree or RoutineKind.ZoneFree:
                if (row.Block is null)
                {
                    yield return $"{row}: a free names the block it takes";
                }

                break;
        }

        string? targetType = row.Target is null ? null : Array.Find(Routine(row.Component, row.Name).GetParameters(), p => p.Name == row.Target)?.ParameterType.Name;
        bool lookaside = row.Kind is RoutineKind.LookasideInitialize or RoutineKind.LookasideAllocate or RoutineKind.LookasideFree or RoutineKind.LookasideDelete;
        if (lookaside && !(targetType == "PAGED_LOOKASIDE_LIST" && row.Pool == RoutinePool.Paged) && !(targetType == "NPAGED_LOOKASIDE_LIST" && row.Pool == RoutinePool.NonPaged))
        {
            yield return $"{row}: a lookaside routine's target is its list, and its pool is the list's (Paged for PAGED_LOOKASIDE_LIST, NonPaged for NPAGED_LOOKASIDE_LIST)";
        }

        bool zone = row.Kind is RoutineKind.ZoneInitialize or RoutineKind.ZoneExtend or RoutineKind.ZoneAllocate or RoutineKind.ZoneFree or RoutineKind.ZoneQuery;
        if (zone && targetType != "ZONE_HEADER")
        {
            yield return $"{row}: a zone routine's target is its ZONE_HEADER";
        }

        if (row.Kind is RoutineKind.SpinLockAcquire or RoutineKind.SpinLockRelease && row.Has(RoutineTraits.Queued) && row.Handle is null)
        {
            yield return $"{row}: an in-stack queued spin lock routine names its KLOCK_QUEUE_HANDLE (the IRQL engine pairs acquire and release by it)";
        }

        if (!lookaside && row.Kind != RoutineKind.Allocate && row.Pool != RoutinePool.None)
        {
            yield return $"{row}: only allocations and lookaside routines draw on a pool";
        }
    }

    private static MethodInfo Routine(string component, string name)
    {
        Type? type = s_runtime.GetType(typeof(Ex).Namespace + "." + component);
        Assert.True(type is not null, $"The runtime has no class {component}");
        MethodInfo[] methods = PublicRoutines(type).Where(m => m.Name == name).ToArray();
        Assert.True(methods.Length == 1, $"{component}.{name}: the runtime has {methods.Length} public static methods of that name; a row describes exactly one");
        return methods[0];
    }

    private static IEnumerable<MethodInfo> PublicRoutines(Type type) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly).Where(m => !m.IsSpecialName);

    /// <summary>The type a parameter carries: <c>T</c> for <c>ref T</c>, <c>out T</c> and <c>T?</c>.</summary>
    private static Type Unwrapped(Type type)
    {
        Type element = type.IsByRef ? type.GetElementType()! : type;
        return Nullable.GetUnderlyingType(element) ?? element;
    }

    private static bool IsRuntimeType(Type type, string name) => type.Namespace == typeof(Ex).Namespace && type.Name == name;

    private static bool IsUnsignedCount(Type type) => type == typeof(uint) || type == typeof(nuint) || type == typeof(ulong);
}
