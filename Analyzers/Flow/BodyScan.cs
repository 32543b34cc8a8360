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

    private static Scanned Scan(IOperation body)
    {
        ImmutableArray<IOperation>.Builder? found = null;
        foreach (IOperation operation in body.Descendants())
        {
            if (operation is IInvocationOperation or IObjectCreationOperation or IDelegateCreationOperation or IAnonymousFunctionOperation or ILocalFunctionOperation or IAddressOfOperation)
            {
                (found ??= ImmutableArray.CreateBuilder<IOperation>()).Add(operation);
            }
        }

        return found is null ? Scanned.Nothing : new Scanned(found.ToImmutable());
    }

    private sealed class Scanned(ImmutableArray<IOperation> operations)
    {
        public static Scanned Nothing { get; } = new([]);

        public ImmutableArray<IOperation> Operations { get; } = operations;
    }
}
