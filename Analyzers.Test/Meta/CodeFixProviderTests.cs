using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit;

namespace PoolAnalyzers.Test.Meta;

/// <summary>Every shipped fixer: exported for C#, shared, Fix All, and fixing only real rules.</summary>
public class CodeFixProviderTests
{
    [Fact]
    public void CodeFixAssembly_HasFixers() => Assert.NotEmpty(ProductAssemblies.CodeFixTypes);

    [Fact]
    public void EveryFixer_IsExportedForCSharpAndShared()
    {
        IEnumerable<string> failures = ProductAssemblies.CodeFixTypes.SelectMany(type =>
        {
            var problems = new System.Collections.Generic.List<string>();
            if (type.GetCustomAttribute<ExportCodeFixProviderAttribute>()?.Languages.Contains(LanguageNames.CSharp) != true)
            {
                problems.Add($"{type.Name} lacks [ExportCodeFixProvider(LanguageNames.CSharp)]");
            }

            // [Shared] is matched by name: the MEF attribute's assembly is the host's concern, not ours.
            if (!type.GetCustomAttributes(inherit: false).Any(a => a.GetType().FullName == "System.Composition.SharedAttribute"))
            {
                problems.Add($"{type.Name} lacks [Shared]");
            }

            return problems;
        });
        DescriptorTests.AssertNone(failures);
    }

    [Fact]
    public void EveryFixer_HasAFixAllProviderForDocumentProjectAndSolution()
    {
        FixAllScope[] scopes = [FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution];
        IEnumerable<string> failures = ProductAssemblies.CreateCodeFixes().Select(f => (Fixer: f, Provider: f.GetFixAllProvider())).SelectMany(p =>
            p.Provider is null
                ? [$"{p.Fixer.GetType().Name}.GetFixAllProvider() returns null"]
                : scopes.Except(p.Provider.GetSupportedFixAllScopes()).Select(s => $"{p.Fixer.GetType().Name}'s Fix All provider does not support {s} scope"));
        DescriptorTests.AssertNone(failures);
    }

    [Fact]
    public void EveryFixer_FixesOnlyShippedRules()
    {
        var ids = ProductAssemblies.Descriptors().Select(d => d.Descriptor.Id).ToHashSet();
        IEnumerable<string> failures = ProductAssemblies.CreateCodeFixes().SelectMany(f =>
            f.FixableDiagnosticIds.IsEmpty
                ? [$"{f.GetType().Name} fixes no diagnostic ID"]
                : f.FixableDiagnosticIds.Where(id => !ids.Contains(id)).Select(id => $"{f.GetType().Name} fixes '{id}', which no analyzer reports"));
        DescriptorTests.AssertNone(failures);
    }
}
