using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using PoolAnalyzers.Irql.Index;

namespace PoolAnalyzers.Irql.Interprocedural;

/// <summary>
/// The direct callers of methods of the project, across every tree of the compilation, found lazily:
/// the first time any method of a name is asked for, each member body that mentions the name (from
/// <see cref="CompilationIndex"/>; for a private method, only those in its type's trees) is analyzed once and every call and conversion in it is filed under
/// its target. Calls dispatched at run time (virtual, interface, delegate) are not filed: their target
/// is not known, so they give no method an entry IRQL.
/// </summary>
internal sealed class CallerIndex(IrqlEngine engine)
{
    /// <summary>Names resolved in every tree, and (name, tree) pairs resolved in one tree only.</summary>
    private readonly HashSet<string> _resolvedNames = new(System.StringComparer.Ordinal);
    private readonly HashSet<(string Name, SyntaxTree Tree)> _resolvedInTree = [];
    private readonly HashSet<IndexedMember> _analyzed = [];
    private readonly Dictionary<IMethodSymbol, List<CallSite>> _sites = new(SymbolEqualityComparer.Default);
    private readonly HashSet<IMethodSymbol> _sorted = new(SymbolEqualityComparer.Default);

    /// <summary>The calls to <paramref name="method"/> and its conversions to annotated delegates, ordered by file and position.</summary>
    /// <remarks>
    /// A private method can be named only inside its outermost containing type, so only the trees that
    /// declare that type are searched: a private helper's name repeated in a thousand classes costs
    /// nothing outside its own file.
    /// </remarks>
    public IReadOnlyList<CallSite> SitesOf(IMethodSymbol method, CancellationToken cancellationToken)
    {
        string name = method.MethodKind == MethodKind.Constructor ? method.ContainingType.Name : method.Name;
        if (!_resolvedNames.Contains(name))
        {
            if (method.DeclaredAccessibility == Accessibility.Private && OutermostType(method) is { } type)
            {
                foreach (SyntaxReference declaration in type.DeclaringSyntaxReferences)
                {
                    if (_resolvedInTree.Add((name, declaration.SyntaxTree)))
                    {
                        Resolve(name, declaration.SyntaxTree, cancellationToken);
                    }
                }
            }
            else
            {
                _resolvedNames.Add(name);
                Resolve(name, tree: null, cancellationToken);
            }
        }

        if (!_sites.TryGetValue(method, out List<CallSite>? sites))
        {
            return [];
        }

        if (_sorted.Add(method))
        {
            sites.Sort(CallSite.Compare);
        }

        return sites;
    }

    /// <summary>Analyzes every member body that mentions <paramref name="name"/> (in <paramref name="tree"/> only, when given) and files its calls.</summary>
    /// <remarks>
    /// In one tree, its own index is read: picking that tree's members out of the compilation's list for
    /// the name would cost, for a private helper name repeated in every file, a pass over every file's
    /// members for each file: time growing with the square of the project.
    /// </remarks>
    private void Resolve(string name, SyntaxTree? tree, CancellationToken cancellationToken)
    {
        IReadOnlyList<IndexedMember> members = tree is null ? engine.Index(cancellationToken).Mentioning(name) : TreeIndex.For(tree, scanner: null, cancellationToken).Members;
        foreach (IndexedMember member in members)
        {
            if ((tree is null || member.Mentions.Contains(name)) && _analyzed.Add(member) && engine.FlowOfDeclaration(member.Declaration, cancellationToken) is { } flow)
            {
                File(flow);
            }
        }
    }

    private static INamedTypeSymbol? OutermostType(ISymbol symbol)
    {
        INamedTypeSymbol? type = symbol.ContainingType;
        while (type?.ContainingType is { } outer)
        {
            type = outer;
        }

        return type;
    }

    private void File(MemberFlow flow)
    {
        foreach (FunctionFacts function in flow.Functions)
        {
            foreach (CallFact call in function.Calls)
            {
                if (!call.IsVirtual && call.Callee.HasSourceBody)
                {
                    Add(call.Callee.Method, new CallSite(flow, function, call));
                }
            }

            foreach (ConversionFact conversion in function.Conversions)
            {
                if (conversion.Target.MethodKind is not (MethodKind.AnonymousFunction or MethodKind.LocalFunction) && !conversion.Target.IsVirtual && !conversion.Target.IsAbstract)
                {
                    Add(conversion.Target, new CallSite(flow, function, conversion));
                }
            }
        }
    }

    private void Add(IMethodSymbol target, CallSite site)
    {
        if (!_sites.TryGetValue(target, out List<CallSite>? sites))
        {
            sites = [];
            _sites.Add(target, sites);
        }

        sites.Add(site);
        _sorted.Remove(target);
    }
}
