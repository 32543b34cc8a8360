using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>
/// What every test project compiles with, the additional projects of the test and fixed states
/// included: C# latest, nullable enabled, unsafe allowed, the .NET 8 reference assemblies (from
/// Basic.Reference.Assemblies, so nothing is downloaded at test time) and, unless a test opts out,
/// <c>PoolAnalyzers.Runtime.dll</c>, the assembly the analyzers look for.
/// </summary>
internal static class TestProjects
{
    /// <summary>No reference package: the framework comes from <see cref="Framework"/> instead.</summary>
    public static readonly ReferenceAssemblies NoPackage = new("net8.0");

    public static readonly ImmutableArray<MetadataReference> Framework = [.. Basic.Reference.Assemblies.Net80.References.All];

    public static readonly MetadataReference Runtime = MetadataReference.CreateFromFile(typeof(PoolAnalyzers.Runtime.Ex).Assembly.Location);

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static readonly CSharpCompilationOptions CompilationOptions = new(
        OutputKind.DynamicallyLinkedLibrary,
        nullableContextOptions: NullableContextOptions.Enable,
        allowUnsafe: true);

    /// <summary>Applies the settings to every project of a test's solution; <paramref name="referenceRuntime"/> is read when the solution is built.</summary>
    public static void Configure(AnalyzerTest<DefaultVerifier> test, Func<bool> referenceRuntime)
    {
        test.ReferenceAssemblies = NoPackage;
        test.SolutionTransforms.Add((solution, _) =>
        {
            foreach (ProjectId id in solution.ProjectIds)
            {
                Project project = solution.GetProject(id)!;
                var options = (CSharpCompilationOptions)project.CompilationOptions!;
                solution = solution
                    .WithProjectCompilationOptions(id, options.WithNullableContextOptions(NullableContextOptions.Enable).WithAllowUnsafe(true))
                    .WithProjectParseOptions(id, ((CSharpParseOptions)project.ParseOptions!).WithLanguageVersion(LanguageVersion.Latest))
                    .AddMetadataReferences(id, Framework);
                if (referenceRuntime())
                {
                    solution = solution.AddMetadataReference(id, Runtime);
                }
            }

            return solution;
        });
    }
}
