using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using PoolAnalyzers.Flow;
using PoolAnalyzers.Irql.Interprocedural;

namespace PoolAnalyzers.Irql;

/// <summary>The IRQL on one path class at a call, before the call's own effect.</summary>
internal readonly struct CallState(IrqlValue irql, Origin? reason, bool checksRequirement)
{
    public IrqlValue Irql { get; } = irql;

    /// <summary>The change in force that explains the path's own levels.</summary>
    public Origin? Reason { get; } = reason;

    /// <summary>
    /// False on a path where the call releases a spin lock the path does not hold: such a path is either
    /// infeasible or a wrapper releasing its caller's lock, and the release's requirement says nothing there.
    /// </summary>
    public bool ChecksRequirement { get; } = checksRequirement;
}

/// <summary>A call in a function: what is called, whether it uses paged pool, and the IRQL on every path class that reaches it.</summary>
internal sealed class CallFact(SyntaxNode syntax, Callee callee, bool isVirtual, SyntaxNode? pagedArgument, bool isPaged, ImmutableArray<CallState> states)
{
    /// <summary>The invocation or object creation.</summary>
    public SyntaxNode Syntax { get; } = syntax;

    public Callee Callee { get; } = callee;

    /// <summary>Dispatched at run time (virtual, interface): the method called is not known.</summary>
    public bool IsVirtual { get; } = isVirtual;

    /// <summary>True when the call allocates from or uses paged pool.</summary>
    public bool IsPaged { get; } = isPaged;

    /// <summary>The pool type or flags argument that makes it paged; null for a paged lookaside routine.</summary>
    public SyntaxNode? PagedArgument { get; } = pagedArgument;

    public ImmutableArray<CallState> States { get; } = states;
}

/// <summary>A method group, lambda or local function converted to a delegate type: the delegate's IRQL attributes are the target's entry IRQL.</summary>
internal sealed class ConversionFact(SyntaxNode syntax, IMethodSymbol target, INamedTypeSymbol delegateType, IrqlContract contract, string? dpcInitializer)
{
    public SyntaxNode Syntax { get; } = syntax;

    public IMethodSymbol Target { get; } = target;

    public INamedTypeSymbol DelegateType { get; } = delegateType;

    public IrqlContract Contract { get; } = contract;

    /// <summary>The routine (<c>KeInitializeDpc</c>) the conversion is the deferred-routine argument of, or null.</summary>
    public string? DpcInitializer { get; } = dpcInitializer;
}

/// <summary>One path class leaving a function normally, and the return it left by.</summary>
/// <remarks>Keeps syntax, not the graph's branch: facts live as long as the compilation, a graph need not.</remarks>
internal sealed class ExitFact(IrqlPath path, SyntaxNode? returnStatement, bool collapsed)
{
    public IrqlPath Path { get; } = path;

    /// <summary>The <c>return</c> statement (or returned expression) the path left by; null for the end of the body.</summary>
    public SyntaxNode? ReturnStatement { get; } = returnStatement;

    /// <summary>The state had too many path classes and was merged: which change is in force is not known.</summary>
    public bool Collapsed { get; } = collapsed;
}

internal enum FunctionKind
{
    Member,
    LocalFunction,
    Lambda,
}

/// <summary>
/// Everything the IRQL rules need from one function body (a member, a local function or a lambda),
/// relative to the IRQL it is entered at: the calls with their IRQLs, the conversions that give
/// other functions an entry IRQL, the exits, and the IRQL it leaves behind.
/// </summary>
internal sealed class FunctionFacts
{
    public FunctionFacts(
        ISymbol symbol,
        FunctionKind kind,
        SyntaxNode declaration,
        IrqlContract contract,
        ImmutableArray<CallFact> calls,
        ImmutableArray<ConversionFact> conversions,
        ImmutableArray<ExitFact> exits,
        IrqlValue exitValue,
        bool analyzed)
    {
        Symbol = symbol;
        Kind = kind;
        Declaration = declaration;
        Contract = contract;
        Calls = calls;
        Conversions = conversions;
        Exits = exits;
        ExitValue = exitValue;
        Analyzed = analyzed;
    }

    /// <summary>The function's method symbol; for the initializer of a field or property, that field or property.</summary>
    public ISymbol Symbol { get; }

    public FunctionKind Kind { get; }

    /// <summary>The declaration (member, local function statement, lambda expression).</summary>
    public SyntaxNode Declaration { get; }

    public IrqlContract Contract { get; }

    public ImmutableArray<CallFact> Calls { get; }

    public ImmutableArray<ConversionFact> Conversions { get; }

    /// <summary>The IRQLs the function is entered at, once <see cref="EntrySolver"/> has solved them (under the engine's lock); null until then.</summary>
    public EntryIrql? Entry { get; set; }

    /// <summary>The path classes at each normal exit; emptied by <see cref="ForgetExitPaths"/> once the member's findings are made.</summary>
    public ImmutableArray<ExitFact> Exits { get; private set; }

    /// <summary>The IRQL at the normal exits, united; <see cref="IrqlValue.Entry"/> when the function leaves it as it found it.</summary>
    public IrqlValue ExitValue { get; }

    /// <summary>False when the flow analysis gave up on the body: nothing is reported from it.</summary>
    public bool Analyzed { get; }

    /// <summary>
    /// Drops the exit paths (<see cref="ExitValue"/> stays): only the member's own POOL014 findings read
    /// them, and each path holds the access paths, symbols and syntax of its locks and saved IRQLs,
    /// which the engine would otherwise keep for the whole compilation. Called under the engine's
    /// lock, once those findings are made.
    /// </summary>
    public void ForgetExitPaths() => Exits = [];
}

/// <summary>The facts of a member and of the local functions and lambdas in it (the member first).</summary>
internal sealed class MemberFlow(ISymbol member, ImmutableArray<FunctionFacts> functions)
{
    /// <summary>The method, or the field or property whose initializer this is.</summary>
    public ISymbol Member { get; } = member;

    public ImmutableArray<FunctionFacts> Functions { get; } = functions;

    public FunctionFacts Body => Functions[0];

    /// <summary>The IRQL rules' findings in this member, once made (under the engine's lock); default until then.</summary>
    public ImmutableArray<BodyFinding> Findings { get; set; }

    /// <summary>The function of this member that <paramref name="symbol"/> names (a local function or lambda), or null.</summary>
    public FunctionFacts? FunctionOf(IMethodSymbol symbol)
    {
        foreach (FunctionFacts function in Functions)
        {
            if (SymbolEqualityComparer.Default.Equals(function.Symbol, symbol) || (function.Kind == FunctionKind.Lambda && Origin.SameSite(function.Declaration, symbol.DeclaringSyntaxReferences.Length > 0 ? symbol.DeclaringSyntaxReferences[0].GetSyntax() : null)))
            {
                return function;
            }
        }

        return null;
    }
}
