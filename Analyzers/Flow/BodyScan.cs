using System;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers.Flow;

/// <summary>
/// The operations of a member body that the flow analyses decide on before they build anything: calls,
/// object and delegate creations, lambdas, local functions and addresses taken. Every body of a
/// compilation is asked about by the IRQL engine and by the pointer-lifetime analysis; one walk of its
/// operation tree, shared by both, answers them.
/// </summary>
/// <remarks>Keyed by the body's root operation, like <see cref="FlowGraphs"/>, and kept only as long as that tree lives.</remarks>
internal static class BodyScan
{
    private static readonly ConditionalWeakTable<IOperation, Scanned> s_scans = new();
    private static readonly ConditionalWeakTable<IOperation, Scanned>.CreateValueCallback s_scan = Scan;

    /// <summary>The deciding operations of <paramref name="body"/> and everything nested in it (lambdas and local functions included), in tree order.</summary>
    public static ImmutableArray<IOperation> Of(IOperation body) => s_scans.GetValue(body, s_scan).Operations;

    /// <summary>True when <paramref name="body"/> contains a lambda or anonymous method (which a flow analysis must analyze as a function of its own).</summary>
    public static bool HasLambdas(IOperation body) => s_scans.GetValue(body, s_scan).HasLambdas;

    /// <summary>One growing buffer per thread, so each body's result is allocated once, at its final size.</summary>
    [ThreadStatic]
    private static ImmutableArray<IOperation>.Builder? t_found;

    private static Scanned Scan(IOperation body)
    {
        ImmutableArray<IOperation>.Builder found = t_found ??= ImmutableArray.CreateBuilder<IOperation>(64);
        bool hasLambdas = false;
        Collect(body, found, ref hasLambdas);
        Scanned scanned = found.Count == 0 ? Scanned.Nothing : new Scanned(found.ToImmutable(), hasLambdas);
        found.Clear(); // Holds no operation tree alive until the next body.
        return scanned;
    }

    // Recursion over ChildOperations (a struct enumerator) instead of Descendants(), whose iterator
    // allocates a stack of enumerators for every body of the compilation.
    private static void Collect(IOperation operation, ImmutableArray<IOperation>.Builder found, ref bool hasLambdas)
    {
        foreach (IOperation child in operation.ChildOperations)
        {
            if (child is IInvocationOperation or IObjectCreationOperation or IDelegateCreationOperation or IAnonymousFunctionOperation or ILocalFunctionOperation or IAddressOfOperation)
            {
                found.Add(child);
                hasLambdas |= child is IAnonymousFunctionOperation;
            }

            Collect(child, found, ref hasLambdas);
        }
    }

    private sealed class Scanned(ImmutableArray<IOperation> operations, bool hasLambdas)
    {
        public static Scanned Nothing { get; } = new([], hasLambdas: false);

        public ImmutableArray<IOperation> Operations { get; } = operations;

        public bool HasLambdas { get; } = hasLambdas;
    }
}
