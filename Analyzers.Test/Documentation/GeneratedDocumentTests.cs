using System;
using System.IO;
using System.Linq;
using PoolAnalyzers.Test.Meta;
using Xunit;

namespace PoolAnalyzers.Test.Documentation;

/// <summary>
/// Every file that lists the rules is regenerated from the descriptors and the fixers, and the suite
/// fails when that would change a file. To regenerate after changing a rule:
/// <c>POOLANALYZERS_REGENERATE_DOCS=1 dotnet test Analyzers.Test --filter FullyQualifiedName~GeneratedDocumentTests</c>.
/// </summary>
public sealed class GeneratedDocumentTests
{
    public const string RegenerateVariable = "POOLANALYZERS_REGENERATE_DOCS";

    private const string RegenerateCommand = $"{RegenerateVariable}=1 dotnet test Analyzers.Test --filter FullyQualifiedName~GeneratedDocumentTests";

    public static TheoryData<string> Documents() => [.. GeneratedDocuments.All().Select(d => d.Path)];

    [Theory]
    [MemberData(nameof(Documents))]
    public void Document_IsWhatTheRulesGenerate(string path)
    {
        GeneratedDocument document = GeneratedDocuments.All().Single(d => d.Path == path);
        string file = Repository.PathOf(path.Split('/'));
        Assert.True(File.Exists(file), $"{path} does not exist.");
        string current = File.ReadAllText(file).ReplaceLineEndings("\n");
        string generated = document.Regenerate(current);
        if (generated == current)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable(RegenerateVariable) == "1")
        {
            File.WriteAllText(file, generated);
            return;
        }

        Assert.Fail($"{path} is not what the rules generate; regenerate it with\n    {RegenerateCommand}\n{FirstDifference(current, generated)}");
    }

    /// <summary>The first line that differs, as the file has it and as the rules generate it.</summary>
    private static string FirstDifference(string current, string generated)
    {
        string[] have = current.Split('\n');
        string[] want = generated.Split('\n');
        int line = 0;
        while (line < have.Length && line < want.Length && have[line] == want[line])
        {
            line++;
        }

        string Show(string[] lines) => line < lines.Length ? lines[line] : "(end of file)";
        return $"First difference at line {line + 1}:\n  file:      {Show(have)}\n  generated: {Show(want)}";
    }
}
