using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.CodeAnalysis;

namespace PoolAnalyzers.Analyzer.Benchmarks.Corpus;

/// <summary>
/// Finds the net10.0 reference assemblies the corpus compiles against: the newest
/// <c>packs/Microsoft.NETCore.App.Ref/10.*/ref/net10.0</c> next to the running runtime, or the
/// trusted platform assemblies when no targeting pack is installed.
/// </summary>
internal static class ReferenceAssemblies
{
    public static ImmutableArray<MetadataReference> Net10()
    {
        IEnumerable<string> paths = FindTargetingPack() ?? TrustedPlatformAssemblies();
        return [.. paths.Order(StringComparer.Ordinal).Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))];
    }

    private static string[]? FindTargetingPack()
    {
        // The runtime lives in <dotnet>/shared/Microsoft.NETCore.App/<version>/; packs/ sits beside shared/.
        string runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        string? dotnetRoot = Directory.GetParent(runtimeDirectory.TrimEnd(Path.DirectorySeparatorChar))?.Parent?.Parent?.FullName;
        string packRoot = Path.Combine(dotnetRoot ?? string.Empty, "packs", "Microsoft.NETCore.App.Ref");
        if (dotnetRoot is null || !Directory.Exists(packRoot))
        {
            return null;
        }

        string? newest = Directory.GetDirectories(packRoot, "10.*")
            .Select(directory => (Directory: directory, Version: Version.TryParse(Path.GetFileName(directory).Split('-')[0], out Version? version) ? version : null))
            .Where(candidate => candidate.Version is not null && Directory.Exists(Path.Combine(candidate.Directory, "ref", "net10.0")))
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => Path.Combine(candidate.Directory, "ref", "net10.0"))
            .FirstOrDefault();
        return newest is null ? null : Directory.GetFiles(newest, "*.dll");
    }

    private static string[] TrustedPlatformAssemblies()
    {
        string? list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string;
        if (string.IsNullOrEmpty(list))
        {
            throw new InvalidOperationException(
                "No net10.0 reference assemblies: neither packs/Microsoft.NETCore.App.Ref/10.*/ref/net10.0 nor TRUSTED_PLATFORM_ASSEMBLIES was found.");
        }

        // Only the shared framework's own assemblies, not this application's package dependencies.
        string runtimeDirectory = Path.GetFullPath(RuntimeEnvironment.GetRuntimeDirectory());
        return [.. list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => Path.GetFullPath(path).StartsWith(runtimeDirectory, StringComparison.Ordinal))];
    }
}
