using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace PoolAnalyzers.Test.EndToEnd;

public sealed class BuildDiagnosticTests
{
    [Fact]
    public void Parse_MsBuildLog_ReturnsEachDiagnosticOnceWithFileLineSeverityAndId()
    {
        const string log = """
              Determining projects to restore...
            /tmp/c/Program.cs(11,15): warning POOL001: 'ExAllocatePool' is obsolete [/tmp/c/Consumer.csproj]
            /tmp/c/Program.cs(12,56): warning POOL002: Pool tag "Consumer" is invalid [/tmp/c/Consumer.csproj]
            /tmp/c/Program.cs(3,1): error CS0246: The type or namespace name 'Missing' could not be found [/tmp/c/Consumer.csproj]
            Build succeeded.
            /tmp/c/Program.cs(11,15): warning POOL001: 'ExAllocatePool' is obsolete [/tmp/c/Consumer.csproj]
                2 Warning(s)
            """;

        string[] parsed = BuildDiagnostic.Parse(log).Select(d => d.ToString()).ToArray();

        Assert.Equal(["Program.cs:11 warning POOL001", "Program.cs:12 warning POOL002", "Program.cs:3 error CS0246"], parsed);
    }

    [Fact]
    public void ExpectedDiagnostics_ConsumerProgram_NamesEveryRuleAtItsMarkedLine()
    {
        IReadOnlyList<(int Line, string Id)> expected = ConsumerProject.ExpectedDiagnostics();

        Assert.Equal(["POOL001", "POOL002", "POOL002", "POOL004", "POOL003"], expected.Select(d => d.Id));
        string[] lines = ConsumerProject.Program.Split('\n');
        Assert.All(expected, d => Assert.Contains("// " + d.Id, lines[d.Line - 1], System.StringComparison.Ordinal));
    }

    [Fact]
    public void PackageProperties_DeclaredByTheRepository_AreFilledIn()
    {
        var declared = PackageProperties.Read(RepositoryRoot.Locate());

        Assert.Contains("analyzers", declared.Tags);
        Assert.False(string.IsNullOrWhiteSpace(declared.Description));
        Assert.StartsWith("https://github.com/", declared.RepositoryUrl, System.StringComparison.Ordinal);
    }
}
