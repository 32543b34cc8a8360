using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;

namespace PoolAnalyzers.Test.EndToEnd;

/// <summary>
/// The package metadata as the repository declares it: tags and description in
/// <c>Package/PoolAnalyzers.Package.csproj</c>, the repository address in <c>Directory.Build.props</c>.
/// The end-to-end test checks that the packed nuspec carries exactly these.
/// </summary>
internal sealed record PackageProperties(string[] Tags, string Description, string RepositoryUrl)
{
    public static PackageProperties Read(string repository)
    {
        var package = XDocument.Load(Path.Combine(repository, "Package", "PoolAnalyzers.Package.csproj"));
        var shared = XDocument.Load(Path.Combine(repository, "Directory.Build.props"));
        return new PackageProperties(
            Property(package, "PackageTags").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Property(package, "Description"),
            Property(shared, "RepositoryUrl"));
    }

    private static string Property(XDocument project, string name)
        => project.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value.Trim()
            ?? throw new InvalidOperationException($"The project declares no <{name}>.");
}
