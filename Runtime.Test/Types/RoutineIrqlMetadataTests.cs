using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace PoolAnalyzers.Runtime.Test.Types;

/// <summary>
/// Every public routine of the kernel components (<c>Ex</c>, <c>Ke</c>, <c>Mm</c>, and <c>Rtl</c>
/// once it exists), found by reflection, says in metadata at which IRQL it may be called: the
/// analyzers read these attributes, so a routine without one would be invisible to the IRQL rules.
/// </summary>
public sealed class RoutineIrqlMetadataTests
{
    private static readonly string[] s_components = ["Ex", "Ke", "Mm", "Rtl"];

    public static TheoryData<string> Routines() => [.. PublicRoutines().Select(m => m.DeclaringType!.Name + "." + m.Name)];

    [Fact]
    public void Components_AreFoundWithTheirRoutines()
    {
        var found = PublicRoutines().Select(m => m.DeclaringType!).Distinct().ToList();

        Assert.Contains(typeof(Ex), found);
        Assert.Contains(typeof(Ke), found);
        Assert.Contains(typeof(Mm), found);
    }

    [Theory]
    [MemberData(nameof(Routines))]
    public void Routine_DeclaresTheIrqlItMayBeCalledAt(string routine)
    {
        MethodInfo method = PublicRoutines().Single(m => m.DeclaringType!.Name + "." + m.Name == routine);
        KIRQL? max = method.GetCustomAttribute<IrqlRequiresMaxAttribute>()?.Irql;
        KIRQL? min = method.GetCustomAttribute<IrqlRequiresMinAttribute>()?.Irql;
        KIRQL? exact = method.GetCustomAttribute<IrqlRequiresAttribute>()?.Irql;

        Assert.True(max is not null || min is not null || exact is not null, $"{routine} carries no IrqlRequiresMax, IrqlRequiresMin or IrqlRequires attribute");
        Assert.False(exact is not null && (max is not null || min is not null), $"{routine} combines IrqlRequires with IrqlRequiresMax/Min; exactly one level says it all");
        Assert.False(min > max, $"{routine} requires at least {min} and at most {max}");
    }

    private static IEnumerable<MethodInfo> PublicRoutines() => s_components
        .Select(name => typeof(Ex).Assembly.GetType(typeof(Ex).Namespace + "." + name))
        .OfType<Type>()
        .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
        .Where(method => !method.IsSpecialName);
}
