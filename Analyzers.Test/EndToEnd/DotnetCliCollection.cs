using Xunit;

namespace PoolAnalyzers.Test.EndToEnd;

/// <summary>
/// Tests that run <c>dotnet</c> builds inside the repository. They build the same projects (the
/// runtime, analyzers and fixes), so they run one at a time rather than racing on obj/ and bin/.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DotnetCliCollection
{
    public const string Name = "dotnet CLI in the repository";
}
