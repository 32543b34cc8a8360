using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>
/// The metadata references test sources compile against: the reference assemblies of the
/// running framework from the SDK's <c>packs/Microsoft.NETCore.App.Ref</c> folder (the same
/// assemblies a real build uses), falling back to the trusted platform assemblies when no
/// pack is installed; plus <c>PoolAnalyzers.Runtime.dll</c>. Loaded once per test run.
/// </summary>
internal static class ReferenceAssemblies
{
    private static readonly Lazy<ImmutableArray<string>> s_dotnetRoots = new(DotnetRoots);
    private static readonly Lazy<string?> s_referencePack = new(FindReferencePack);
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_framework = new(LoadFramework);
    private static readonly Lazy<MetadataReference> s_runtime = new(() =>
        MetadataReference.CreateFromFile(typeof(PoolAnalyzers.Runtime.Ex).Assembly.Location));

    /// <summary>Framework reference assemblies.</summary>
    public static ImmutableArray<MetadataReference> Framework => s_framework.Value;

    /// <summary>The runtime assembly the analyzers look for.</summary>
    public static MetadataReference Runtime => s_runtime.Value;

    /// <summary>Where the framework references came from, for diagnostics of the verifier itself.</summary>
    public static string FrameworkSource { get; private set; } = string.Empty;

    private static ImmutableArray<MetadataReference> LoadFramework()
    {
        string? packDirectory = ReferencePackDirectory;
        string[] paths;
        if (packDirectory is not null)
        {
            paths = Directory.GetFiles(packDirectory, "*.dll");
            FrameworkSource = packDirectory;
        }
        else
        {
            string tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string
                ?? throw new InvalidOperationException("Neither a Microsoft.NETCore.App.Ref pack nor TRUSTED_PLATFORM_ASSEMBLIES is available to compile test sources.");
            paths = tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal)
                    || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll" or "Microsoft.Win32.Primitives.dll")
                .ToArray();
            FrameworkSource = "TRUSTED_PLATFORM_ASSEMBLIES";
        }

        return paths
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();
    }

    /// <summary>
    /// The reference pack folder the framework references come from, or null when none was found
    /// (then they come from the trusted platform assemblies).
    /// </summary>
    public static string? ReferencePackDirectory => s_referencePack.Value;

    /// <summary>The dotnet roots searched for <c>packs/Microsoft.NETCore.App.Ref</c>, for messages.</summary>
    public static ImmutableArray<string> SearchedDotnetRoots => s_dotnetRoots.Value;

    /// <summary>
    /// The root of the running runtime (<c>&lt;dotnet&gt;/shared/Microsoft.NETCore.App/&lt;version&gt;/</c>),
    /// then <c>DOTNET_ROOT</c> and the folder of <c>DOTNET_HOST_PATH</c>, without duplicates.
    /// </summary>
    private static ImmutableArray<string> DotnetRoots()
    {
        var roots = ImmutableArray.CreateBuilder<string>();
        void Add(string? root)
        {
            if (!string.IsNullOrEmpty(root) && !roots.Contains(Path.GetFullPath(root)))
            {
                roots.Add(Path.GetFullPath(root));
            }
        }

        Add(new DirectoryInfo(RuntimeEnvironment.GetRuntimeDirectory()).Parent?.Parent?.Parent?.FullName);
        Add(Environment.GetEnvironmentVariable("DOTNET_ROOT"));
        Add(Path.GetDirectoryName(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH")));
        return roots.ToImmutable();
    }

    /// <summary>
    /// <c>&lt;dotnet&gt;/packs/Microsoft.NETCore.App.Ref/&lt;ver&gt;/ref/net&lt;major&gt;.0</c> for the running
    /// runtime's major version, preferring the exact running version, else the highest installed,
    /// in the first dotnet root that has one.
    /// </summary>
    private static string? FindReferencePack()
    {
        string runningVersion = new DirectoryInfo(RuntimeEnvironment.GetRuntimeDirectory()).Name;
        var running = Environment.Version;
        string targetFolder = $"net{running.Major}.0";
        foreach (string root in SearchedDotnetRoots)
        {
            var packs = new DirectoryInfo(Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref"));
            if (!packs.Exists)
            {
                continue;
            }

            string? found = packs.GetDirectories()
                .Select(d => (Directory: d, Version: Version.TryParse(d.Name.Split('-')[0], out var v) ? v : null))
                .Where(d => d.Version is not null && d.Version.Major == running.Major)
                .OrderByDescending(d => d.Directory.Name == runningVersion)
                .ThenByDescending(d => d.Version)
                .Select(d => Path.Combine(d.Directory.FullName, "ref", targetFolder))
                .FirstOrDefault(Directory.Exists);
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }
}
