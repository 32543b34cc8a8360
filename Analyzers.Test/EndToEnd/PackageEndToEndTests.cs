using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using PoolAnalyzers.Test.Documentation;
using Xunit;

namespace PoolAnalyzers.Test.EndToEnd;

/// <summary>
/// Packs PoolAnalyzers, checks the package's layout, installs it into a fresh console project and
/// checks what a customer sees: the build warnings at their lines, severity from .editorconfig,
/// <c>dotnet format</c> fixes, and a program that runs on the runtime.
/// </summary>
[Trait("Category", "EndToEnd")]
[Collection(DotnetCliCollection.Name)]
public sealed class PackageEndToEndTests
{
    /// <summary>What the fixers fix, read from them: what <c>dotnet format</c> is asked to apply.</summary>
    private static readonly string[] s_fixableRules = [.. RuleCatalog.FixableIds];

    private static readonly string[] s_packagePayload =
    [
        "lib/net8.0/PoolAnalyzers.Runtime.dll",
        "lib/net8.0/PoolAnalyzers.Runtime.xml",
        "analyzers/dotnet/cs/PoolAnalyzers.dll",
        "analyzers/dotnet/cs/PoolAnalyzers.CodeFixes.dll",
        "README.md",
    ];

    [Fact]
    public async Task PackedPackage_InFreshConsoleProject_WarnsFixesAndRuns()
    {
        string root = Path.Combine(Path.GetTempPath(), "PoolAnalyzers.e2e." + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            string packageFolder = Path.Combine(root, "packages");
            await PackAsync(new DotnetCli(), packageFolder);

            // The consumer restores into an empty package folder: a PoolAnalyzers 0.1.0 cached by an
            // earlier run (or an earlier build of this one) can never stand in for the fresh package.
            var dotnet = new DotnetCli(Path.Combine(root, "nuget-cache"));
            ConsumerProject consumer = await ConsumerProject.CreateAsync(dotnet, Path.Combine(root, "Consumer"), packageFolder);
            Assert.Contains("<OutputType>Exe</OutputType>", consumer.ReadProjectFile(), StringComparison.Ordinal);

            // The README's install command; the source mapping sends it to the pack folder.
            DotnetResult add = await dotnet.RunAsync(consumer.Directory, "add", ConsumerProject.ProjectFileName, "package", "PoolAnalyzers");
            Assert.True(add.Succeeded, $"dotnet add package failed.\n{add}");
            Assert.Contains("""<PackageReference Include="PoolAnalyzers" Version="0.1.0" />""", consumer.ReadProjectFile(), StringComparison.Ordinal);

            await BuildReportsEveryRuleAtItsLineAsync(dotnet, consumer);
            await EditorConfigSeverityIsHonouredAsync(dotnet, consumer);
            await FormatFixesTheFixableRulesAsync(dotnet, consumer);
            await ProgramRunsOnTheRuntimeAsync(dotnet, consumer);
        }
        finally
        {
            DeleteQuietly(root);
        }
    }

    private static async Task PackAsync(DotnetCli dotnet, string packageFolder)
    {
        string repository = RepositoryRoot.Locate();
        // The solution build already checked the code style; the package's Release build need not again.
        DotnetResult pack = await dotnet.RunAsync(repository,
            "pack", Path.Combine("Package", "PoolAnalyzers.Package.csproj"), "-o", packageFolder, "--disable-build-servers", "-p:EnforceCodeStyleInBuild=false");
        Assert.True(pack.Succeeded, $"Packing failed.\n{pack}");
        string package = Path.Combine(packageFolder, "PoolAnalyzers.0.1.0.nupkg");
        Assert.True(File.Exists(package), $"Pack produced no PoolAnalyzers.0.1.0.nupkg.\n{pack}");

        var contents = PackageContents.Read(package);
        string listing = string.Join("\n  ", contents.Files);
        foreach (string expected in s_packagePayload)
        {
            Assert.True(contents.Files.Contains(expected), $"The package lacks {expected}. It holds:\n  {listing}");
        }

        Assert.DoesNotContain(contents.Files, f => f.EndsWith(".dll", StringComparison.Ordinal) && !s_packagePayload.Contains(f));
        Assert.Empty(contents.DependencyIds);
        Assert.Equal("MIT", contents.Metadata("license"));
        Assert.Equal("README.md", contents.Metadata("readme"));
        AssertDescriptiveMetadata(contents, repository);
    }

    /// <summary>The nuspec carries the tags, description and repository the projects declare, and they say what the package is.</summary>
    private static void AssertDescriptiveMetadata(PackageContents contents, string repository)
    {
        var declared = PackageProperties.Read(repository);

        string[] tags = (contents.Metadata("tags") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(declared.Tags, tags);
        Assert.Superset(new HashSet<string>(["analyzers", "roslyn", "kernel", "driver", "pool"], StringComparer.Ordinal), tags.ToHashSet(StringComparer.Ordinal));

        string description = contents.Metadata("description") ?? string.Empty;
        Assert.Equal(declared.Description, description);
        Assert.Contains("analyzers", description, StringComparison.Ordinal);
        Assert.Contains("POOL001", description, StringComparison.Ordinal);

        Assert.Equal("git", contents.MetadataAttribute("repository", "type"));
        Assert.Equal(declared.RepositoryUrl, contents.MetadataAttribute("repository", "url"));
        Assert.StartsWith("https://github.com/", declared.RepositoryUrl, StringComparison.Ordinal);
        Assert.Equal(declared.RepositoryUrl, contents.Metadata("projectUrl"));
    }

    private static async Task BuildReportsEveryRuleAtItsLineAsync(DotnetCli dotnet, ConsumerProject consumer)
    {
        DotnetResult build = await BuildAsync(dotnet, consumer);
        Assert.True(build.Succeeded, $"The consumer must build (POOL rules are warnings by default).\n{build}");

        string[] expected = ConsumerProject.ExpectedDiagnostics()
            .Select(d => new BuildDiagnostic(ConsumerProject.ProgramFileName, d.Line, "warning", d.Id).ToString())
            .Order(StringComparer.Ordinal)
            .ToArray();
        string[] actual = PoolDiagnostics(build).Select(d => d.ToString()).ToArray();
        Assert.True(expected.SequenceEqual(actual),
            $"Expected:\n  {string.Join("\n  ", expected)}\nActual:\n  {string.Join("\n  ", actual)}\n{build}");
    }

    private static async Task EditorConfigSeverityIsHonouredAsync(DotnetCli dotnet, ConsumerProject consumer)
    {
        consumer.Write(".editorconfig", "root = true\n\n[*.cs]\ndotnet_diagnostic.POOL001.severity = error\n");

        DotnetResult build = await BuildAsync(dotnet, consumer);
        Assert.False(build.Succeeded, $"POOL001 raised to error in .editorconfig must fail the build.\n{build}");
        BuildDiagnostic[] errors = BuildDiagnostic.Parse(build.Output).Where(d => d.Severity == "error").ToArray();
        Assert.True(errors.Length == 1 && errors[0].Id == "POOL001",
            $"Expected exactly one error, POOL001; got [{string.Join(", ", errors.AsEnumerable())}].\n{build}");

        // The file stays: after the fixes the build must pass with POOL001 still an error.
    }

    private static async Task FormatFixesTheFixableRulesAsync(DotnetCli dotnet, ConsumerProject consumer)
    {
        string[] arguments = ["format", "analyzers", ConsumerProject.ProjectFileName, "--no-restore", "--diagnostics", .. s_fixableRules, "--verbosity", "normal"];
        DotnetResult format = await dotnet.RunAsync(consumer.Directory, arguments);
        Assert.True(format.Succeeded, $"dotnet format failed.\n{format}");

        string fixedProgram = File.ReadAllText(consumer.ProgramPath);
        Assert.NotEqual(ConsumerProject.Program, fixedProgram);

        DotnetResult build = await BuildAsync(dotnet, consumer);
        Assert.True(build.Succeeded, $"The fixed consumer must build.\n{build}\n--- Program.cs after dotnet format ---\n{fixedProgram}");
        BuildDiagnostic[] remaining = PoolDiagnostics(build).Where(d => s_fixableRules.Contains(d.Id) || d.Severity == "error").ToArray();
        Assert.True(remaining.Length == 0,
            $"After dotnet format: [{string.Join(", ", remaining.AsEnumerable())}].\n{build}\n--- Program.cs ---\n{fixedProgram}");

        // A rule without a fix keeps its warning.
        string[] unfixable = [.. ConsumerProject.ExpectedDiagnostics().Select(d => d.Id).Where(id => !s_fixableRules.Contains(id)).Distinct()];
        Assert.NotEmpty(unfixable);
        Assert.All(unfixable, id => Assert.Contains(PoolDiagnostics(build), d => d.Id == id));
    }

    private static async Task ProgramRunsOnTheRuntimeAsync(DotnetCli dotnet, ConsumerProject consumer)
    {
        DotnetResult run = await dotnet.RunAsync(consumer.Directory, "run", "--no-build");
        Assert.True(run.Succeeded, $"The fixed consumer must run.\n{run}");
        Assert.Contains("blocks: True True True; irql: PASSIVE_LEVEL", run.Output, StringComparison.Ordinal);
        Assert.Contains("freed", run.Output, StringComparison.Ordinal);
    }

    private static Task<DotnetResult> BuildAsync(DotnetCli dotnet, ConsumerProject consumer)
        => dotnet.RunAsync(consumer.Directory, "build", ConsumerProject.ProjectFileName, "--no-restore", "--disable-build-servers", "-p:UseSharedCompilation=false");

    private static IEnumerable<BuildDiagnostic> PoolDiagnostics(DotnetResult build)
        => BuildDiagnostic.Parse(build.Output).Where(d => d.Id.StartsWith("POOL", StringComparison.Ordinal));

    private static void DeleteQuietly(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // A child process may still hold a file for a moment; a leftover temp folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
