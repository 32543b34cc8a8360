using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Xunit;

namespace PoolAnalyzers.Test.EndToEnd;

/// <summary>
/// The README's main job, <c>dotnet run --project samples/LegacyDriver</c>: the build shows one warning
/// per rule at the lines the sample's README names, and the driver runs to a clean unload.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(DotnetCliCollection.Name)]
public sealed partial class LegacyDriverSampleTests
{
    private static readonly string s_project = Path.Combine("samples", "LegacyDriver", "LegacyDriver.csproj");

    [Fact]
    public async Task Sample_BuildsWithTheWarningsItsReadmeLists_AndRunsToACleanUnload()
    {
        string repository = RepositoryRoot.Locate();
        var dotnet = new DotnetCli();

        // Rebuild the sample alone (its references are built by the solution build that precedes the
        // tests, which also checked the code style), so the compiler runs and prints the analyzer warnings.
        DotnetResult build = await dotnet.RunAsync(repository,
            "build", s_project, "--no-restore", "--no-dependencies", "--no-incremental", "--disable-build-servers", "-p:UseSharedCompilation=false", "-p:EnforceCodeStyleInBuild=false");
        Assert.True(build.Succeeded, $"The sample must build.\n{build}");

        string[] expected = ReadmeTable(repository).Order(StringComparer.Ordinal).ToArray();
        string[] actual = BuildDiagnostic.Parse(build.Output)
            .Where(d => d.Id.StartsWith("POOL", StringComparison.Ordinal))
            .Select(d => $"{d.FileName}:{d.Line} {d.Severity} {d.Id}")
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.NotEmpty(expected);
        Assert.True(expected.SequenceEqual(actual),
            $"samples/LegacyDriver/README.md lists:\n  {string.Join("\n  ", expected)}\nThe build reports:\n  {string.Join("\n  ", actual)}\n{build}");

        DotnetResult run = await dotnet.RunAsync(repository, "run", "--project", s_project, "--no-build");
        Assert.True(run.Succeeded, $"The sample must exit with 0.\n{run}");
        Assert.Contains("Completed 4000 of 4000 requests", run.Output, StringComparison.Ordinal);
        Assert.Contains("0 checksum failures", run.Output, StringComparison.Ordinal);
        Assert.Contains("Tag  Type        Allocs        Frees       Diff          Bytes  Per Alloc", run.Output, StringComparison.Ordinal);
        Assert.EndsWith("Driver Verifier: no pool allocations outstanding at unload.", run.Output.TrimEnd(), StringComparison.Ordinal);
    }

    /// <summary>The "mistakes it keeps" table of the sample's README, as <c>File.cs:line warning POOLnnn</c>.</summary>
    private static string[] ReadmeTable(string repository)
    {
        string readme = File.ReadAllText(Path.Combine(repository, "samples", "LegacyDriver", "README.md"));
        return TableRow().Matches(readme)
            .Select(m => $"{m.Groups["file"].Value}:{m.Groups["line"].Value} warning {m.Groups["id"].Value}")
            .ToArray();
    }

    [GeneratedRegex(@"^\| `(?<file>[A-Za-z]+\.cs)\((?<line>\d+)\)` \| (?<id>POOL\d{3}) \|", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
