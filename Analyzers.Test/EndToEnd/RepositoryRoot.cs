using System;
using System.IO;

namespace PoolAnalyzers.Test.EndToEnd;

/// <summary>Finds the repository from the test's output folder.</summary>
internal static class RepositoryRoot
{
    public static string Locate()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "PoolAnalyzers.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No PoolAnalyzers.sln in {AppContext.BaseDirectory} or any folder above it; the end-to-end test must run from a build inside the repository.");
    }
}
