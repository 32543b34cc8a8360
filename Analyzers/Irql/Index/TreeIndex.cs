using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace PoolAnalyzers.Irql.Index;

/// <summary>A member body of a syntax tree and the simple names it calls, constructs or passes as method groups.</summary>
internal sealed class IndexedMember(SyntaxNode declaration, string? name, ImmutableArray<string> mentions, bool declaresIrqlEffect)
{
    /// <summary>
    /// The declaration the body belongs to: a method, constructor, destructor, operator or accessor
    /// declaration, the arrow clause of an expression-bodied property, or the compilation unit of top-level statements.
    /// </summary>
    public SyntaxNode Declaration { get; } = declaration;

    /// <summary>The name calls use: a method's name, a constructor's type name; null for the rest.</summary>
    public string? Name { get; } = name;

    /// <summary>Every simple name the body (its lambdas and local functions included) invokes, constructs, or may convert to a delegate, and some more (see <see cref="MentionScanner"/>).</summary>
    public ImmutableArray<string> Mentions { get; } = mentions;

    /// <summary>The declaration carries <c>[IrqlRaises]</c>, <c>[IrqlSaves]</c> or <c>[IrqlRestores]</c> (by syntax).</summary>
    public bool DeclaresIrqlEffect { get; } = declaresIrqlEffect;
}

/// <summary>
/// What one syntax tree says about calls, by name only: built without binding, once per tree and kept
/// while the tree lives, so a compilation that differs from the last one in a single document (every
/// edit in an IDE) re-reads only that document. The members come from the declarations; what each
/// body mentions is read from its text (<see cref="MentionScanner"/>), so the index creates no syntax
/// node inside a body.
/// </summary>
internal sealed class TreeIndex
{
    private static readonly ConditionalWeakTable<SyntaxTree, TreeIndex> s_cache = new();

    private static readonly HashSet<string> s_effectAttributes =
    [
        "IrqlRaises", "IrqlRaisesAttribute", "IrqlSaves", "IrqlSavesAttribute", "IrqlRestores", "IrqlRestoresAttribute",
    ];

    private TreeIndex(ImmutableArray<IndexedMember> members) => Members = members;

    public ImmutableArray<IndexedMember> Members { get; }

    /// <summary>The index of <paramref name="tree"/>, read with <paramref name="scanner"/> (one for all the trees of an index) when it has not been read yet.</summary>
    public static TreeIndex For(SyntaxTree tree, MentionScanner? scanner, CancellationToken cancellationToken)
    {
        if (s_cache.TryGetValue(tree, out TreeIndex? index))
        {
            return index;
        }

        index = Build(tree.GetRoot(cancellationToken), new Reader(tree.GetText(cancellationToken), scanner ?? new MentionScanner()), cancellationToken);
        return s_cache.GetValue(tree, _ => index);
    }

    private static TreeIndex Build(SyntaxNode root, Reader text, CancellationToken cancellationToken)
    {
        List<IndexedMember> members = text.Scanner.Members;
        members.Clear();
        HashSet<string>? topLevel = null; // Top-level statements: rare, and in one tree at most.
        Stack<SyntaxNode> stack = text.Scanner.Pending;
        stack.Clear();
        stack.Push(root);
        while (stack.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            SyntaxNode node = stack.Pop();
            switch (node)
            {
                case BaseMethodDeclarationSyntax method when method.Body is not null || method.ExpressionBody is not null:
                    members.Add(Member(method, text, NameOf(method), HasEffect(method.AttributeLists) || HasEffect(method.ParameterList, text)));
                    break;
                case AccessorDeclarationSyntax accessor when accessor.Body is not null || accessor.ExpressionBody is not null:
                    members.Add(Member(accessor, text, null, HasEffect(accessor.AttributeLists)));
                    break;
                case BasePropertyDeclarationSyntax property:
                    if (property is PropertyDeclarationSyntax { ExpressionBody: { } propertyArrow })
                    {
                        members.Add(Member(propertyArrow, text, null, false));
                    }
                    else if (property is IndexerDeclarationSyntax { ExpressionBody: { } indexerArrow })
                    {
                        members.Add(Member(indexerArrow, text, null, false));
                    }
                    else if (property.AccessorList is { } accessors)
                    {
                        Push(stack, accessors.Accessors);
                    }

                    break;
                case GlobalStatementSyntax global:
                    Mentions(global, BodyOf(global), text, topLevel ??= new HashSet<string>(System.StringComparer.Ordinal));
                    break;
                case CompilationUnitSyntax unit:
                    Push(stack, unit.Members);
                    break;
                case BaseNamespaceDeclarationSyntax space:
                    Push(stack, space.Members);
                    break;
                case TypeDeclarationSyntax type:
                    Push(stack, type.Members);
                    break;
            }
        }

        if (topLevel is { Count: > 0 })
        {
            members.Add(new IndexedMember(root, null, [.. topLevel], false));
        }

        var index = new TreeIndex([.. members]);
        members.Clear(); // Holds no syntax of this tree alive.
        return index;
    }

    private static void Push<T>(Stack<SyntaxNode> stack, SyntaxList<T> children)
        where T : SyntaxNode
    {
        // Reverse, so members come out in source order.
        for (int i = children.Count - 1; i >= 0; i--)
        {
            stack.Push(children[i]);
        }
    }

    private static IndexedMember Member(SyntaxNode declaration, Reader text, string? name, bool declaresEffect)
    {
        HashSet<string> mentions = text.Scanner.Gathered;
        mentions.Clear();
        Mentions(declaration, BodyOf(declaration), text, mentions);
        return new IndexedMember(declaration, name, [.. mentions], declaresEffect);
    }

    /// <summary>
    /// Where a member's mentions are read: past a method's parameter list to its end (its own name is not
    /// a call), an accessor's body, an arrow clause; a statement of top-level code.
    /// </summary>
    internal static TextSpan BodyOf(SyntaxNode declaration) => declaration switch
    {
        BaseMethodDeclarationSyntax method => TextSpan.FromBounds(method.ParameterList.Span.End, method.Span.End),
        AccessorDeclarationSyntax accessor => ((SyntaxNode?)accessor.Body ?? (SyntaxNode?)accessor.ExpressionBody ?? accessor).Span,
        _ => declaration.Span,
    };

    /// <summary>The names <paramref name="body"/> mentions, read from the text; from the syntax under <paramref name="node"/> where only it can tell (see <see cref="MentionScanner"/>).</summary>
    private static void Mentions(SyntaxNode node, TextSpan body, Reader text, HashSet<string> mentions)
    {
        if (!text.Scanner.Scan(text.Text, body, mentions))
        {
            MentionsInSyntax(node, body, mentions);
        }
    }

    private static string? NameOf(BaseMethodDeclarationSyntax method) => method switch
    {
        MethodDeclarationSyntax ordinary => ordinary.Identifier.ValueText,
        ConstructorDeclarationSyntax constructor => constructor.Identifier.ValueText,
        _ => null,
    };

    /// <summary>The names the syntax under <paramref name="root"/> within <paramref name="body"/> calls, constructs or may convert to a delegate, exactly.</summary>
    internal static void MentionsInSyntax(SyntaxNode root, TextSpan body, HashSet<string> mentions)
    {
        foreach (SyntaxNode node in root.DescendantNodesAndSelf(body))
        {
            if (!body.Contains(node.Span))
            {
                continue;
            }

            switch (node)
            {
                case InvocationExpressionSyntax invocation when SimpleName(invocation.Expression) is { } invoked:
                    mentions.Add(invoked);
                    break;
                case ObjectCreationExpressionSyntax creation when TypeName(creation.Type) is { } created:
                    mentions.Add(created);
                    break;
                case IdentifierNameSyntax or MemberAccessExpressionSyntax when IsMethodGroupPosition(node) && SimpleName((ExpressionSyntax)node) is { } group:
                    mentions.Add(group);
                    break;
            }
        }
    }

    /// <summary>Where a method group can be converted to a delegate: an argument, an initializer, an assignment's value, a cast, a return.</summary>
    private static bool IsMethodGroupPosition(SyntaxNode node)
    {
        SyntaxNode? parent = node.Parent;
        return parent switch
        {
            ArgumentSyntax or EqualsValueClauseSyntax or ReturnStatementSyntax or ArrowExpressionClauseSyntax or CastExpressionSyntax => true,
            AssignmentExpressionSyntax assignment => assignment.Right == node,
            _ => false,
        };
    }

    private static string? SimpleName(ExpressionSyntax expression) => expression switch
    {
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        _ => null,
    };

    private static string? TypeName(TypeSyntax type) => type switch
    {
        SimpleNameSyntax simple => simple.Identifier.ValueText,
        QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
        AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
        _ => null,
    };

    private static bool HasEffect(ParameterListSyntax parameters, Reader text)
    {
        // Most parameter lists carry no attribute: their text says so without a node per parameter.
        if (!text.Holds(parameters.Span, '['))
        {
            return false;
        }

        foreach (ParameterSyntax parameter in parameters.Parameters)
        {
            if (HasEffect(parameter.AttributeLists))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasEffect(SyntaxList<AttributeListSyntax> lists)
    {
        foreach (AttributeListSyntax list in lists)
        {
            foreach (AttributeSyntax attribute in list.Attributes)
            {
                string? name = attribute.Name switch
                {
                    SimpleNameSyntax simple => simple.Identifier.ValueText,
                    QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
                    _ => null,
                };
                if (name is not null && s_effectAttributes.Contains(name))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>A tree's text and the scanner that reads it.</summary>
    private sealed class Reader(SourceText text, MentionScanner scanner)
    {
        public SourceText Text { get; } = text;

        public MentionScanner Scanner { get; } = scanner;

        public bool Holds(TextSpan span, char c)
        {
            for (int i = span.Start; i < span.End; i++)
            {
                if (Text[i] == c)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
