using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using PoolAnalyzers.Irql.Index;
using PoolAnalyzers.Irql.Interprocedural;
using PoolAnalyzers.Flow;

namespace PoolAnalyzers.Irql;

/// <summary>
/// The IRQL engine of one compilation, shared by POOL004, POOL013 and POOL014: the analysis of each
/// member body (computed once, whoever asks first), the exit IRQL of the project's methods, their
/// callers across the compilation and their entry IRQLs, and finally each member's findings.
/// </summary>
/// <remarks>
/// <para>
/// Each rule reports a member's findings from the member's own operation-block callback, so a finding
/// inside a helper appears wherever the helper's file is analyzed, in a build and in an editor that
/// has only that file open. Finding the helper's callers means binding member bodies of other trees:
/// <see cref="ModelFor"/> asks the compilation for their semantic model, which, inside the analyzer
/// driver, is the driver's own cached model (see docs/irql-engine.md for why this is the one place the
/// project calls <c>Compilation.GetSemanticModel</c>).
/// </para>
/// <para>
/// Everything that reads or fills the shared caches runs under one lock, so the results do not depend
/// on which callback asked first, and recursion (exit IRQLs through recursive methods, entry IRQLs
/// through cycles of callers) is solved as a whole: exit IRQLs by strongly connected components
/// (Tarjan), entry IRQLs by rounds to a fixed point (<see cref="EntrySolver"/>). Members that touch
/// nothing IRQL-related are recognised without the lock and cost one walk of their operations.
/// </para>
/// </remarks>
internal sealed class IrqlEngine : IIrqlContext
{
    private static readonly ConditionalWeakTable<Compilation, IrqlEngine> s_engines = new();

    /// <summary>Routines that change the IRQL (<c>…AtDpcLevel</c> forms only take a lock): the names every change starts from.</summary>
    private static readonly ImmutableArray<string> s_changingRoutines = ChangingRoutines();

    private readonly Compilation _compilation;
    private readonly RuntimeSymbols _symbols;
    private readonly object _gate = new();
    private readonly ConcurrentDictionary<IMethodSymbol, Callee> _callees = new(ReferenceComparer<IMethodSymbol>.Instance);
    private readonly Func<IMethodSymbol, Callee> _resolveCallee;
    private readonly BodyFindings _findings = new();

    // Under _gate.
    private readonly Dictionary<ISymbol, MemberFlow> _flows = new(SymbolEqualityComparer.Default);
    private readonly Dictionary<SyntaxTree, SemanticModel> _models = []; // For the current request only.
    private CompilationIndex? _index;
    private ExitComputation? _exits; // Emptied after each request, kept for the next.
    private CancellationToken _cancellationToken;

    private IrqlEngine(Compilation compilation, RuntimeSymbols symbols)
    {
        _compilation = compilation;
        _symbols = symbols;
        _resolveCallee = method => Callee.Resolve(method, _symbols);
        Callers = new CallerIndex(this);
        Entries = new EntrySolver(this);
    }

    public CallerIndex Callers { get; }

    public EntrySolver Entries { get; }

    /// <summary>The engine of <paramref name="compilation"/>, created by the first rule that asks.</summary>
    public static IrqlEngine For(Compilation compilation, RuntimeSymbols symbols) => s_engines.GetValue(compilation, c => new IrqlEngine(c, symbols));

    /// <summary>The findings of every IRQL rule located in <paramref name="member"/>, whose body the caller's callback has at hand.</summary>
    public ImmutableArray<BodyFinding> FindingsOf(ISymbol member, IOperation body, CancellationToken cancellationToken)
    {
        if (_findings.TryGet(body, out ImmutableArray<BodyFinding> known))
        {
            return known;
        }

        if (!IsRelevant(body))
        {
            // Remembered until the next body: the other IRQL rules, which ask next, do not walk it again.
            return _findings.Remember(body, []);
        }

        lock (_gate)
        {
            _cancellationToken = cancellationToken;
            try
            {
                // Findings are kept on the member's flow, which the engine holds for the compilation anyway:
                // a rule that asks after another body came in between finds them there.
                MemberFlow flow = FlowOf(member, body);
                if (flow.Findings.IsDefault)
                {
                    flow.Findings = IrqlFindings.Of(flow, this, cancellationToken);
                    foreach (FunctionFacts function in flow.Functions)
                    {
                        function.ForgetExitPaths();
                    }
                }

                return _findings.Remember(body, flow.Findings);
            }
            finally
            {
                // A request that failed (cancelled) leaves no half-built component behind, and no
                // request keeps another tree's semantic model (with every bound body and operation
                // tree in it) alive once it is answered.
                _exits?.Clear();
                _models.Clear();
                _cancellationToken = default;
            }
        }
    }

    public Callee CalleeOf(IMethodSymbol method) => _callees.GetOrAdd(method, _resolveCallee);

    public IrqlContract ContractOf(ISymbol function) => function is IMethodSymbol method ? CalleeOf(method).Contract : IrqlContract.Of(function);

    public bool MayChangeIrql(IMethodSymbol method) => Index(_cancellationToken).MayChangeIrql(CallName(method));

    public IrqlValue? ExitOf(IMethodSymbol method)
    {
        if (!MayChangeIrql(method))
        {
            return null;
        }

        if (_flows.TryGetValue(method, out MemberFlow? flow))
        {
            return ExitComputation.ExitOf(flow);
        }

        return (_exits ??= new ExitComputation(this)).ExitOf(method, _cancellationToken);
    }

    /// <summary>The syntax index of the whole compilation (built on first use).</summary>
    public CompilationIndex Index(CancellationToken cancellationToken) => _index ??= CompilationIndex.Build(_compilation, s_changingRoutines, cancellationToken);

    /// <summary>The facts of the member declared by <paramref name="declaration"/> (any tree), or null when it is not a method body.</summary>
    public MemberFlow? FlowOfDeclaration(SyntaxNode declaration, CancellationToken cancellationToken)
    {
        SemanticModel model = ModelFor(declaration.SyntaxTree);
        ISymbol? declared = declaration switch
        {
            ArrowExpressionClauseSyntax { Parent: { } property } => model.GetDeclaredSymbol(property, cancellationToken) switch
            {
                IPropertySymbol { GetMethod: { } getter } => getter,
                _ => null,
            },
            _ => model.GetDeclaredSymbol(declaration, cancellationToken),
        };
        if (declared is not IMethodSymbol method)
        {
            return null;
        }

        if (_flows.TryGetValue(method, out MemberFlow? flow))
        {
            return flow;
        }

        return BodyOf(model, declaration, cancellationToken) is { } body ? FlowOf(method, body) : null;
    }

    /// <summary>The facts of a member body, computed once; <paramref name="body"/> is bound from the declaration when null.</summary>
    public MemberFlow FlowOf(ISymbol member, IOperation? body)
    {
        if (_flows.TryGetValue(member, out MemberFlow? flow))
        {
            return flow;
        }

        return (_exits ??= new ExitComputation(this)).Compute(member, body, _cancellationToken);
    }

    /// <summary>The body of a method of this compilation, bound from its declaration; null when it has none.</summary>
    public IOperation? BindBody(ISymbol member, CancellationToken cancellationToken)
    {
        ISymbol implementation = member is IMethodSymbol { PartialImplementationPart: { } part } ? part : member;
        if (implementation.DeclaringSyntaxReferences.IsEmpty)
        {
            return null;
        }

        SyntaxNode declaration = implementation.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken);
        return BodyOf(ModelFor(declaration.SyntaxTree), declaration, cancellationToken);
    }

    internal void Publish(ISymbol member, MemberFlow flow) => _flows[member] = flow;

    internal bool IsPublished(ISymbol member) => _flows.ContainsKey(member);

    private static IOperation? BodyOf(SemanticModel model, SyntaxNode declaration, CancellationToken cancellationToken)
        => model.GetOperation(declaration, cancellationToken) is { } body and (IMethodBodyOperation or IConstructorBodyOperation or IBlockOperation) ? body : null;

    /// <summary>The member body among a callback's operation blocks: a method, constructor or accessor body, or a field or property initializer.</summary>
    public static IOperation? BodyAmong(ImmutableArray<IOperation> blocks)
    {
        foreach (IOperation block in blocks)
        {
            if (BodyOfBlock(block) is { } body)
            {
                return body;
            }
        }

        return null;
    }

    /// <summary>The member body <paramref name="block"/> belongs to, or null when the block is not a body (an attribute, a parameter default).</summary>
    public static IOperation? BodyOfBlock(IOperation block)
    {
        // A method's block hangs under its IMethodBodyOperation.
        IOperation root = block;
        while (root.Parent is { } parent)
        {
            root = parent;
        }

        return root is IMethodBodyOperation or IConstructorBodyOperation or IFieldInitializerOperation or IPropertyInitializerOperation or IBlockOperation ? root : null;
    }

    /// <summary>
    /// The semantic model of another tree of the compilation. Inside the analyzer driver the compilation
    /// carries the driver's caching semantic-model provider, so this is the model the driver itself uses
    /// for that tree (or, once the driver is done with it, a new one it caches in the same place); only
    /// member bodies asked for are bound. Held until the current request is answered, not longer: a
    /// model keeps every body bound in it alive. See docs/irql-engine.md, "Finding callers in other files".
    /// </summary>
    private SemanticModel ModelFor(SyntaxTree tree)
    {
        if (!_models.TryGetValue(tree, out SemanticModel? model))
        {
#pragma warning disable RS0030, RS1030 // The one sanctioned use: no analysis context hands out another tree's model (docs/irql-engine.md).
            model = _compilation.GetSemanticModel(tree);
#pragma warning restore RS0030, RS1030
            _models.Add(tree, model);
        }

        return model;
    }

    private bool IsRelevant(IOperation body)
    {
        foreach (IOperation operation in BodyScan.Of(body))
        {
            switch (operation)
            {
                case IInvocationOperation invocation when CalleeOf(invocation.TargetMethod.OriginalDefinition).IsIrqlRelevant:
                case IObjectCreationOperation { Constructor: { } constructor } when CalleeOf(constructor.OriginalDefinition).IsIrqlRelevant:
                case IDelegateCreationOperation { Type: INamedTypeSymbol { DelegateInvokeMethod: { } invoke } } when CalleeOf(invoke).Contract.StatesEntry:
                    return true;
            }
        }

        return false;
    }

    private static string CallName(IMethodSymbol method) => method.MethodKind == MethodKind.Constructor ? method.ContainingType.Name : method.Name;

    private static ImmutableArray<string> ChangingRoutines()
    {
        ImmutableArray<string>.Builder names = ImmutableArray.CreateBuilder<string>();
        foreach (RuntimeRoutine routine in RuntimeRoutines.All)
        {
            if (routine.Kind is RoutineKind.IrqlRaise or RoutineKind.IrqlLower or RoutineKind.SpinLockAcquire or RoutineKind.SpinLockRelease && !routine.Has(RoutineTraits.AtDpcLevel))
            {
                names.Add(routine.Name);
            }
        }

        return names.ToImmutable();
    }
}
