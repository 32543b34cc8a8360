using System.Runtime.CompilerServices;
using PoolAnalyzers.Flow;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>
/// Turns on, for every test of this assembly, the flow analyses' self-check (<see cref="WalkCheck"/>): a
/// body followed without a control-flow graph is analyzed on its graph as well, and any difference throws.
/// </summary>
internal static class WalkCheckOn
{
#pragma warning disable CA2255 // A test assembly's own set-up, before any test runs: what module initializers are for.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void TurnOn() => WalkCheck.CompareWithGraph = true;
}
