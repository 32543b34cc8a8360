using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PoolAnalyzers.Test.Verifiers;
using Xunit;

namespace PoolAnalyzers.Test.Routines;

/// <summary>Which assembly the rules take the runtime types from when more than one defines them.</summary>
public sealed class RuntimeSymbolsTests
{
    private const string CopyOfTheRuntimeTypes = """
        namespace PoolAnalyzers.Runtime
        {
            public static class Ex { public static nint ExAllocatePool(POOL_TYPE PoolType, nuint NumberOfBytes) => 0; }
            public readonly struct PoolTag { }
            public enum POOL_TYPE { NonPagedPool }
        }
        """;

    [Fact]
    public void RuntimeReferenced_ItsTypesAreChosen()
    {
        var symbols = RuntimeSymbols.TryCreate(Compile("Consumer", "class C { }", TestProjects.Runtime));

        Assert.NotNull(symbols);
        AssertFromAssembly(RuntimeSymbols.RuntimeAssemblyName, symbols);
    }

    [Fact]
    public void OwnCopyNextToTheRuntime_TheRuntimesTypesAreChosen()
    {
        CSharpCompilation compilation = Compile("Consumer", CopyOfTheRuntimeTypes, TestProjects.Runtime);

        // What the compiler's own lookup would give: the copy, which calls do not reach the runtime through.
        Assert.Equal("Consumer", compilation.GetTypeByMetadataName("PoolAnalyzers.Runtime.Ex")?.ContainingAssembly.Name);
        AssertFromAssembly(RuntimeSymbols.RuntimeAssemblyName, RuntimeSymbols.TryCreate(compilation));
    }

    [Fact]
    public void CopyInAReferencedLibraryNextToTheRuntime_TheRuntimesTypesAreChosen()
    {
        CompilationReference library = Compile("Embedding", CopyOfTheRuntimeTypes).ToMetadataReference();
        CSharpCompilation compilation = Compile("Consumer", "class C { }", library, TestProjects.Runtime);

        // Two referenced definitions: the compiler's own lookup gives up.
        Assert.Null(compilation.GetTypeByMetadataName("PoolAnalyzers.Runtime.Ex"));
        AssertFromAssembly(RuntimeSymbols.RuntimeAssemblyName, RuntimeSymbols.TryCreate(compilation));
    }

    [Fact]
    public void OnlyTheCompilationDefinesTheTypes_ItsOwnAreChosen()
    {
        CompilationReference library = Compile("Embedding", CopyOfTheRuntimeTypes).ToMetadataReference();
        CSharpCompilation compilation = Compile("Runtime2", CopyOfTheRuntimeTypes, library);

        AssertFromAssembly("Runtime2", RuntimeSymbols.TryCreate(compilation));
    }

    [Fact]
    public void TwoReferencedCopiesWithoutTheRuntime_NoneIsChosen()
    {
        CompilationReference first = Compile("First", CopyOfTheRuntimeTypes).ToMetadataReference();
        CompilationReference second = Compile("Second", CopyOfTheRuntimeTypes).ToMetadataReference();

        Assert.Null(RuntimeSymbols.TryCreate(Compile("Consumer", "class C { }", first, second)));
    }

    [Fact]
    public void CopyOfExWithoutTheOtherTypes_NothingIsChosen()
    {
        CSharpCompilation compilation = Compile("Consumer", "namespace PoolAnalyzers.Runtime { public static class Ex { } }");

        Assert.Null(RuntimeSymbols.TryCreate(compilation));
    }

    [Fact]
    public void ReferenceNamedLikeTheRuntimeWithoutItsTypes_RulesRegisterButFindNothing()
    {
        CompilationReference impostor = Compile(RuntimeSymbols.RuntimeAssemblyName, "namespace Other { public static class Ex { public static nint ExAllocatePool(int t, nuint n) => 0; } }").ToMetadataReference();
        CSharpCompilation compilation = Compile("Consumer", "class C { }", impostor);
        IMethodSymbol other = compilation.GetTypeByMetadataName("Other.Ex")!.GetMembers("ExAllocatePool").OfType<IMethodSymbol>().Single();

        // Taken at its name at compilation start; looked into at first use, where it turns out empty.
        var symbols = RuntimeSymbols.TryCreate(compilation);
        Assert.NotNull(symbols);
        Assert.Null(symbols.Classify(other));
        Assert.Null(symbols.Ex);
        Assert.Null(symbols.PoolTag);
        Assert.Null(symbols.PoolFlags);
    }

    [Fact]
    public void Classify_RuntimeRoutinesOfEveryComponent_GiveTheirRows()
    {
        CSharpCompilation compilation = Compile("Consumer", "class C { }", TestProjects.Runtime);
        RuntimeSymbols symbols = RuntimeSymbols.TryCreate(compilation)!;

        foreach (RuntimeRoutine row in RuntimeRoutines.All)
        {
            INamedTypeSymbol type = compilation.GetTypeByMetadataName("PoolAnalyzers.Runtime." + row.Component)!;
            IMethodSymbol method = type.GetMembers(row.Name).OfType<IMethodSymbol>().Single();
            Assert.Same(row, symbols.Classify(method));
            Assert.Same(row, RuntimeRoutines.Find(method));
        }
    }

    [Fact]
    public void Classify_OwnCopyNextToTheRuntime_GivesNoRow()
    {
        CSharpCompilation compilation = Compile("Consumer", CopyOfTheRuntimeTypes, TestProjects.Runtime);
        IMethodSymbol copy = compilation.Assembly.GetTypeByMetadataName("PoolAnalyzers.Runtime.Ex")!.GetMembers("ExAllocatePool").OfType<IMethodSymbol>().Single();

        Assert.Null(RuntimeSymbols.TryCreate(compilation)!.Classify(copy));
    }

    [Fact]
    public void Classify_SameNamedClassInAnotherNamespace_GivesNoRow()
    {
        CSharpCompilation compilation = Compile("Consumer", "namespace Legacy { public static class Ex { public static nint ExAllocatePool(int t, nuint n) => 0; } }", TestProjects.Runtime);
        IMethodSymbol other = compilation.GetTypeByMetadataName("Legacy.Ex")!.GetMembers("ExAllocatePool").OfType<IMethodSymbol>().Single();

        Assert.Null(RuntimeSymbols.TryCreate(compilation)!.Classify(other));
        Assert.Null(RuntimeRoutines.Find(other));
    }

    private static void AssertFromAssembly(string assemblyName, RuntimeSymbols? symbols)
    {
        Assert.NotNull(symbols);
        Assert.Equal(assemblyName, symbols.Ex?.ContainingAssembly.Name);
        Assert.Equal(assemblyName, symbols.PoolTag?.ContainingAssembly.Name);
        Assert.Equal(assemblyName, symbols.PoolType?.ContainingAssembly.Name);
    }

    private static CSharpCompilation Compile(string assemblyName, string source, params MetadataReference[] references)
    {
        var all = new List<MetadataReference>(TestProjects.Framework);
        all.AddRange(references);
        var compilation = CSharpCompilation.Create(
            assemblyName,
            [CSharpSyntaxTree.ParseText(source, TestProjects.ParseOptions)],
            all,
            TestProjects.CompilationOptions);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return compilation;
    }
}
