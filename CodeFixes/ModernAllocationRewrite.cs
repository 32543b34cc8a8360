using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;

namespace PoolAnalyzers.CodeFixes;

/// <summary>
/// Rewrites a <c>POOL_TYPE</c> allocation as its modern replacement (KERNEL-FACTS §9), for POOL007's
/// fix and POOL001's second action: <c>ExAllocatePoolWithTag(type, n, tag)</c> →
/// <c>ExAllocatePool2(flags, n, tag)</c>, <c>ExAllocatePoolWithTagPriority(type, n, tag, p)</c> →
/// <c>ExAllocatePool3(flags, n, tag, new POOL_EXTENDED_PARAMETER[] { new POOL_EXTENDED_PARAMETER { Type = PoolExtendedParameterPriority, Priority = p } }, 1)</c>.
/// </summary>
/// <remarks>
/// The flags are the exact <see cref="PoolTypeTranslation"/> of a constant pool type; anything else
/// (a parameter, <c>ExDefaultNonPagedPoolType</c>, a must-succeed type) gets no plan, because passing
/// a pool type on as flags is the bug POOL008 reports. Arguments keep their order, so they are
/// evaluated as before; named arguments stay named. The modern routine zeroes the block, so a
/// <see cref="RedundantZeroing"/> right after the call goes. A plan exists only when the rewritten
/// call binds to the runtime's routine from the same place.
/// </remarks>
internal static class ModernAllocationRewrite
{
    /// <summary>
    /// The plan for <paramref name="invocation"/>, or null. <paramref name="addedTag"/> is the tag an
    /// untagged routine's call gets (described in the title by <paramref name="tagDescription"/>).
    /// </summary>
    public static ModernAllocationPlan? Plan(SemanticModel model, InvocationExpressionSyntax invocation, ExpressionSyntax? addedTag = null, string? tagDescription = null)
    {
        if (model.GetOperation(invocation) is not IInvocationOperation operation
            || RuntimeRoutines.Find(operation.TargetMethod) is not { PoolType: { } poolTypeParameter } routine
            || RuntimeRoutines.ModernReplacement(routine) is not { PoolFlags: { } flagsParameter, Tag: { } tagParameter } modern
            || (routine.Tag is null) != (addedTag is not null)
            || ParameterNames(invocation, operation) is not { } parameters
            || operation.GetArgument(poolTypeParameter) is not { } poolType
            || poolType.Value.GetFoldedConstant() is not { HasValue: true } constant
            || OperationExtensions.AsInt64(constant.Value) is not { } value
            || PoolTypeTranslation.Translate(value, routine.Has(RoutineTraits.Quota), out ulong flags) != TranslationProblem.None
            || PoolFlagsValue.Names(flags) is not { } flagNames
            || RuntimeSyntax.SiblingType(operation.TargetMethod.ContainingType, "POOL_FLAGS") is not { } poolFlags
            || ModernMethod(operation.TargetMethod.ContainingType, modern.Name) is not { } modernMethod)
        {
            return null;
        }

        ExtendedPriority? priority = null;
        if (routine.Priority is not null && (priority = ExtendedPriority.For(modernMethod)) is null)
        {
            return null;
        }

        var rewrite = new Rewrite(
            modern.Name,
            parameters,
            poolTypeParameter,
            flagsParameter,
            routine.Priority,
            priority,
            addedTag is null ? null : (tagParameter, addedTag),
            () => RuntimeSyntax.Members(poolFlags, flagNames),
            HasNamedArguments(invocation));

        // Offer only a call that binds to the runtime's modern routine from this very position.
        InvocationExpressionSyntax rewritten = rewrite.Apply(invocation);
        if (model.GetSpeculativeSymbolInfo(invocation.SpanStart, rewritten, SpeculativeBindingOption.BindAsExpression).Symbol is not IMethodSymbol bound
            || !SymbolEqualityComparer.Default.Equals(bound.OriginalDefinition, modernMethod))
        {
            return null;
        }

        ExpressionStatementSyntax? zeroing = modern.Has(RoutineTraits.Zeroed) && (flags & PoolFlagsValue.Uninitialized) == 0
            && operation.GetArgument(routine.Size!) is { Syntax: ArgumentSyntax { Expression: { } size } }
            ? RedundantZeroing.Find(model, invocation, size)
            : null;
        string title = $"Use '{modern.Name}' with {string.Join(" | ", flagNames)}"
            + (tagDescription is null ? string.Empty : " and tag " + tagDescription)
            + (zeroing is null ? string.Empty : ", without the RtlZeroMemory after it");
        return new ModernAllocationPlan(invocation, rewrite.Apply, zeroing, title);
    }

    private static IMethodSymbol? ModernMethod(INamedTypeSymbol component, string name)
    {
        IMethodSymbol? found = null;
        foreach (ISymbol member in component.GetMembers(name))
        {
            if (member is IMethodSymbol { IsStatic: true } method)
            {
                if (found is not null)
                {
                    return null;
                }

                found = method;
            }
        }

        return found;
    }

    /// <summary>The parameter each written argument goes to, in written order; null when an argument is not plainly one parameter's.</summary>
    private static string[]? ParameterNames(InvocationExpressionSyntax invocation, IInvocationOperation operation)
    {
        SeparatedSyntaxList<ArgumentSyntax> arguments = invocation.ArgumentList.Arguments;
        string[] names = new string[arguments.Count];
        foreach (IArgumentOperation argument in operation.Arguments)
        {
            int index = argument is { ArgumentKind: ArgumentKind.Explicit, Syntax: ArgumentSyntax syntax, Parameter: { } parameter } && syntax.RefKindKeyword.IsKind(SyntaxKind.None)
                ? arguments.IndexOf(syntax)
                : -1;
            if (index < 0)
            {
                return null;
            }

            names[index] = argument.Parameter!.Name;
        }

        return Array.IndexOf(names, null) < 0 ? names : null;
    }

    private static bool HasNamedArguments(InvocationExpressionSyntax invocation)
    {
        foreach (ArgumentSyntax argument in invocation.ArgumentList.Arguments)
        {
            if (argument.NameColon is not null)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>How a call's written arguments become the modern routine's; applied to the call as it is when the edit runs, so nested fixes compose.</summary>
    private sealed class Rewrite(
        string newName,
        string[] parameters,
        string poolTypeParameter,
        string flagsParameter,
        string? priorityParameter,
        ExtendedPriority? priority,
        (string Parameter, ExpressionSyntax Value)? addedTag,
        Func<ExpressionSyntax> flags,
        bool named)
    {
        public InvocationExpressionSyntax Apply(InvocationExpressionSyntax current)
        {
            SeparatedSyntaxList<ArgumentSyntax> written = current.ArgumentList.Arguments;
            var arguments = new List<ArgumentSyntax>(written.Count + 2);
            for (int i = 0; i < written.Count && i < parameters.Length; i++)
            {
                ArgumentSyntax argument = written[i];
                if (parameters[i] == poolTypeParameter)
                {
                    arguments.Add(Renamed(argument.WithExpression(flags().WithTriviaFrom(argument.Expression)), flagsParameter));
                }
                else if (parameters[i] == priorityParameter && priority is not null)
                {
                    arguments.Add(Renamed(argument.WithExpression(priority.Parameters(argument.Expression.WithoutTrivia()).WithTriviaFrom(argument.Expression)), priority.ArrayParameter));
                    arguments.Add(New(priority.CountParameter, SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal(1))));
                }
                else
                {
                    arguments.Add(argument);
                }
            }

            if (addedTag is { } tag)
            {
                arguments.Add(New(tag.Parameter, tag.Value));
            }

            return current
                .WithExpression(RenamedCall(current.Expression, newName))
                .WithArgumentList(current.ArgumentList.WithArguments(SyntaxFactory.SeparatedList(arguments)));
        }

        private ArgumentSyntax Renamed(ArgumentSyntax argument, string parameter)
            => argument.NameColon is null ? argument : argument.WithNameColon(SyntaxFactory.NameColon(parameter).WithTriviaFrom(argument.NameColon));

        private ArgumentSyntax New(string parameter, ExpressionSyntax value)
        {
            ArgumentSyntax argument = SyntaxFactory.Argument(value);
            return (named ? argument.WithNameColon(SyntaxFactory.NameColon(parameter)) : argument).WithAdditionalAnnotations(Formatter.Annotation);
        }

        private static ExpressionSyntax RenamedCall(ExpressionSyntax expression, string newName) => expression switch
        {
            MemberAccessExpressionSyntax memberAccess => memberAccess.WithName(Renamed(memberAccess.Name, newName)),
            SimpleNameSyntax simple => Renamed(simple, newName),
            _ => expression,
        };

        private static SimpleNameSyntax Renamed(SimpleNameSyntax name, string newName)
            => SyntaxFactory.IdentifierName(SyntaxFactory.Identifier(name.Identifier.LeadingTrivia, newName, name.Identifier.TrailingTrivia));
    }

    /// <summary>The extended-parameter array of <c>ExAllocatePool3</c> that carries a priority, from the method's own parameter types.</summary>
    private sealed class ExtendedPriority(string arrayParameter, string countParameter, INamedTypeSymbol parameterType, INamedTypeSymbol typeEnum)
    {
        public string ArrayParameter { get; } = arrayParameter;

        public string CountParameter { get; } = countParameter;

        /// <summary>
        /// The array parameter, of <c>POOL_EXTENDED_PARAMETER</c> elements, and the count after it; the element's
        /// <c>Type</c> and <c>Priority</c> properties and <c>PoolExtendedParameterPriority</c> must exist.
        /// </summary>
        public static ExtendedPriority? For(IMethodSymbol method)
        {
            for (int i = 0; i + 1 < method.Parameters.Length; i++)
            {
                if (method.Parameters[i].Type is IArrayTypeSymbol { ElementType: INamedTypeSymbol element }
                    && Property(element, "Type") is INamedTypeSymbol { TypeKind: TypeKind.Enum } typeEnum
                    && Property(element, "Priority") is not null
                    && typeEnum.GetMembers("PoolExtendedParameterPriority").Length == 1)
                {
                    return new ExtendedPriority(method.Parameters[i].Name, method.Parameters[i + 1].Name, element, typeEnum);
                }
            }

            return null;
        }

        /// <summary><c>new POOL_EXTENDED_PARAMETER[] { new POOL_EXTENDED_PARAMETER { Type = PoolExtendedParameterPriority, Priority = p } }</c>.</summary>
        public ExpressionSyntax Parameters(ExpressionSyntax priority)
        {
            ObjectCreationExpressionSyntax element = SyntaxFactory.ObjectCreationExpression(RuntimeSyntax.Type(parameterType))
                .WithArgumentList(null)
                .WithInitializer(SyntaxFactory.InitializerExpression(
                    SyntaxKind.ObjectInitializerExpression,
                    SyntaxFactory.SeparatedList<ExpressionSyntax>(
                    [
                        Assignment("Type", RuntimeSyntax.Member(typeEnum, "PoolExtendedParameterPriority")),
                        Assignment("Priority", priority),
                    ])));
            return SyntaxFactory.ArrayCreationExpression(
                    SyntaxFactory.ArrayType(RuntimeSyntax.Type(parameterType), SyntaxFactory.SingletonList(SyntaxFactory.ArrayRankSpecifier(SyntaxFactory.SingletonSeparatedList<ExpressionSyntax>(SyntaxFactory.OmittedArraySizeExpression())))),
                    SyntaxFactory.InitializerExpression(SyntaxKind.ArrayInitializerExpression, SyntaxFactory.SingletonSeparatedList<ExpressionSyntax>(element)))
                .WithAdditionalAnnotations(Formatter.Annotation);
        }

        private static ExpressionSyntax Assignment(string property, ExpressionSyntax value)
            => SyntaxFactory.AssignmentExpression(SyntaxKind.SimpleAssignmentExpression, SyntaxFactory.IdentifierName(property), value);

        private static ITypeSymbol? Property(INamedTypeSymbol type, string name)
        {
            foreach (ISymbol member in type.GetMembers(name))
            {
                if (member is IPropertySymbol { SetMethod: not null } property)
                {
                    return property.Type;
                }
            }

            return null;
        }
    }
}

/// <summary>One call to rewrite as the modern routine, and the zeroing that becomes redundant.</summary>
public sealed class ModernAllocationPlan
{
    private readonly InvocationExpressionSyntax _invocation;
    private readonly Func<InvocationExpressionSyntax, InvocationExpressionSyntax> _rewrite;
    private readonly ExpressionStatementSyntax? _zeroing;

    internal ModernAllocationPlan(InvocationExpressionSyntax invocation, Func<InvocationExpressionSyntax, InvocationExpressionSyntax> rewrite, ExpressionStatementSyntax? zeroing, string title)
    {
        _invocation = invocation;
        _rewrite = rewrite;
        _zeroing = zeroing;
        Title = title;
    }

    internal string Title { get; }

    // The callback sees the call as already rewritten by fixes nested inside it.
    internal void Apply(DocumentEditor editor)
    {
        editor.ReplaceNode(_invocation, (current, _) => _rewrite((InvocationExpressionSyntax)current));
        if (_zeroing is not null)
        {
            editor.RemoveNode(_zeroing);
        }
    }
}
