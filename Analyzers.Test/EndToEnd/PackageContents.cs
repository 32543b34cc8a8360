using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Xml.Linq;

namespace PoolAnalyzers.Test.EndToEnd;

/// <summary>What a .nupkg holds: its file paths and its nuspec.</summary>
internal sealed class PackageContents
{
    private PackageContents(IReadOnlyList<string> files, XDocument nuspec)
    {
        Files = files;
        Nuspec = nuspec;
    }

    public IReadOnlyList<string> Files { get; }

    public XDocument Nuspec { get; }

    /// <summary>The ids of every <c>&lt;dependency&gt;</c> in the nuspec, in any group.</summary>
    public IEnumerable<string> DependencyIds
        => Nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string?)e.Attribute("id") ?? "(no id)");

    /// <summary>The text of a nuspec metadata element, or null.</summary>
    public string? Metadata(string name)
        => Nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    /// <summary>An attribute of a nuspec metadata element (<c>repository</c>'s <c>url</c>), or null.</summary>
    public string? MetadataAttribute(string name, string attribute)
        => (string?)Nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Attribute(attribute);

    public static PackageContents Read(string packagePath)
    {
        using ZipArchive archive = ZipFile.OpenRead(packagePath);
        var files = archive.Entries.Select(e => e.FullName).Where(n => !n.EndsWith('/')).ToList();
        ZipArchiveEntry nuspecEntry = archive.Entries.SingleOrDefault(e => e.FullName.EndsWith(".nuspec", StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"{packagePath} has no .nuspec; entries: {string.Join(", ", files)}");
        using Stream stream = nuspecEntry.Open();
        return new PackageContents(files, XDocument.Load(stream));
    }
}
