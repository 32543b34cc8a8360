using System.Runtime.CompilerServices;
using PoolAnalyzers.Irql;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>
/// Turns on, for every test of this assembly, the IRQL engine's self-check: a body it follows without a
/// control-flow graph is analyzed on its graph as well, and any difference in the facts throws (an
/// AD0001 in the rule tests, an exception in the others).
/// </summary>
internal static class StructuredWalkCheck
{
#pragma warning disable CA2255 // A test assembly's own set-up, before any test runs: what module initializers are for.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void TurnOn() => StructuredWalk.CompareWithGraph = true;
}
