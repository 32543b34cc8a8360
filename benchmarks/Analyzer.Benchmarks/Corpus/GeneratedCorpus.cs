using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using PoolAnalyzers.Runtime;

namespace PoolAnalyzers.Analyzer.Benchmarks.Corpus;

/// <summary>
/// A deterministic set of parsed source files plus the references they compile against.
/// Trees and references are built once; each benchmark iteration creates a fresh compilation
/// from them, so no semantic state carries over between iterations.
/// </summary>
public sealed class GeneratedCorpus
{
    /// <summary>The number of files in each corpus.</summary>
    public const int DefaultFileCount = 1000;

    // Single-threaded on purpose: the benchmark machine is shared, and the ratio of total work
    // is what the targets are about; thread scheduling noise would swamp a 1 % difference.
    private static readonly CSharpCompilationOptions Options = new(
        OutputKind.DynamicallyLinkedLibrary,
        nullableContextOptions: NullableContextOptions.Enable,
        concurrentBuild: false,
        // As the SDK does: the runtime is built for net8.0 and unifies with the net10.0 references.
        specificDiagnosticOptions: [new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]);

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private GeneratedCorpus(CorpusKind kind, ImmutableArray<SyntaxTree> trees, ImmutableArray<MetadataReference> references)
    {
        Kind = kind;
        Trees = trees;
        References = references;
    }

    public CorpusKind Kind { get; }

    public ImmutableArray<SyntaxTree> Trees { get; }

    public ImmutableArray<MetadataReference> References { get; }

    /// <summary>Which files of the driver corpus carry a deliberate finding (one of each rule in every 100).</summary>
    internal static SeededFinding FindingFor(int index) => (index % 100) switch
    {
        7 => SeededFinding.ObsoleteAllocation,
        13 => SeededFinding.DefaultTag,
        19 => SeededFinding.ExecutablePool,
        15 => SeededFinding.UncheckedResult,
        21 => SeededFinding.LeakOnErrorPath,
        31 => SeededFinding.InvalidTag,
        42 => SeededFinding.DeprecatedAllocation,
        57 => SeededFinding.ZeroSize,
        68 => SeededFinding.FlagsConfusion,
        77 => SeededFinding.MismatchedFree,
        83 => SeededFinding.PagedAtDispatch,
        94 => SeededFinding.ObsoleteRoutine,
        45 => SeededFinding.ForbiddenIrqlCall,
        69 => SeededFinding.LockLeftHeld,
        93 => SeededFinding.PagedInHelperUnderLock,
        _ => SeededFinding.None,
    };

    /// <summary>How many findings each seeded rule must report on this corpus: one per seeded file.</summary>
    public IReadOnlyDictionary<string, int> SeededFindings()
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; Kind == CorpusKind.Driver && i < Trees.Length; i++)
        {
            if (FindingFor(i).RuleId() is { } id)
            {
                counts[id] = counts.GetValueOrDefault(id) + 1;
            }
        }

        return counts;
    }

    public static GeneratedCorpus Create(CorpusKind kind, int fileCount = DefaultFileCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fileCount);
        ImmutableArray<MetadataReference> references = ReferenceAssemblies.Net10();
        if (kind == CorpusKind.Driver)
        {
            references = references.Add(MetadataReference.CreateFromFile(typeof(KIRQL).Assembly.Location));
        }

        ImmutableArray<SyntaxTree>.Builder trees = ImmutableArray.CreateBuilder<SyntaxTree>(fileCount);
        for (int i = 0; i < fileCount; i++)
        {
            string text = kind switch
            {
                CorpusKind.Driver => DriverFileWriter.Write(i, FindingFor(i)),
                CorpusKind.Plain => PlainFileWriter.Write(i),
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown corpus kind."),
            };
            string path = string.Create(CultureInfo.InvariantCulture, $"{kind}/Module{i:D4}.cs");
            trees.Add(CSharpSyntaxTree.ParseText(text, ParseOptions, path));
        }

        return new GeneratedCorpus(kind, trees.MoveToImmutable(), references);
    }

    /// <summary>
    /// A new compilation over the shared parse and references. Each compilation gets its own
    /// <see cref="SyntaxTree"/> objects, with their own syntax nodes over the parsed ones (no re-parse)
    /// and their text, as a real build has: a cache the compiler or an analyzer keeps per tree or per
    /// node (the IRQL engine's syntax index) is then paid in every run, not only in the first.
    /// </summary>
    /// <remarks>
    /// <c>WithRootAndOptions</c> with the tree's own root and options returns the same tree, so it cannot
    /// give a run trees of its own. <c>CSharpSyntaxTree.Create</c> starts a new tree of nodes over the
    /// parsed ones, but has no way to take the text it was parsed from, and making the text again from
    /// the nodes costs about 95 ms for the 1,000 files, which every measured case would pay and a real
    /// build does not (the parser hands it its trees with their text). So the parsed text is handed to
    /// the new tree through its private field; if a compiler version renames the field, the text is made
    /// from the nodes instead, in every case alike.
    /// </remarks>
    public CSharpCompilation CreateCompilation() =>
        CSharpCompilation.Create("Generated" + Kind, Trees.Select(FreshTree), References, Options);

    private static readonly FieldInfo? LazyText = typeof(CSharpSyntaxTree).Assembly
        .GetType("Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree+ParsedSyntaxTree")?
        .GetField("_lazyText", BindingFlags.Instance | BindingFlags.NonPublic);

    private static SyntaxTree FreshTree(SyntaxTree parsed)
    {
        SyntaxTree fresh = CSharpSyntaxTree.Create((CSharpSyntaxNode)parsed.GetRoot(), (CSharpParseOptions)parsed.Options, parsed.FilePath, parsed.Encoding);
        if (LazyText is { } field && field.DeclaringType == fresh.GetType() && field.FieldType == typeof(SourceText))
        {
            field.SetValue(fresh, parsed.GetText());
        }
        else
        {
            _ = fresh.GetText();
        }

        return fresh;
    }

    /// <summary>
    /// Throws when the corpus does not compile: a benchmark over broken code would measure the
    /// compiler's error recovery instead of normal analysis.
    /// </summary>
    public void EnsureCompiles()
    {
        Diagnostic[] errors = [.. CreateCompilation().GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];
        if (errors.Length > 0)
        {
            throw new InvalidOperationException(string.Create(
                CultureInfo.InvariantCulture,
                $"The generated {Kind} corpus has {errors.Length} compiler errors; first ones:{Environment.NewLine}{string.Join(Environment.NewLine, errors.Take(10))}"));
        }
    }
}
