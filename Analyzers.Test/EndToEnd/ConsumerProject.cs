using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;

namespace PoolAnalyzers.Test.EndToEnd;

/// <summary>
/// A fresh console project made the way a customer makes one, <c>dotnet new console</c> (the template
/// ships with the SDK, so this works offline; <c>--no-restore</c> leaves the first restore to
/// <c>dotnet add package</c>), with its <c>Program.cs</c> replaced by <see cref="Program"/>. The test
/// then adds the packed PoolAnalyzers package the way a customer would (<c>dotnet add package PoolAnalyzers</c>).
/// </summary>
internal sealed class ConsumerProject
{
    public const string ProjectFileName = "Consumer.csproj";
    public const string ProgramFileName = "Program.cs";

    // Each line the analyzers must flag carries a trailing "// POOLnnn" marker, so the expected
    // file:line pairs come from the source itself.
    public const string Program = """
        using System;
        using PoolAnalyzers.Runtime;
        using static PoolAnalyzers.Runtime.Ex;
        using static PoolAnalyzers.Runtime.Ke;
        using static PoolAnalyzers.Runtime.KIRQL;
        using static PoolAnalyzers.Runtime.POOL_TYPE;

        using var machine = new KernelSystem(new SystemConfiguration { PhysicalMemoryBytes = 512UL << 20 });
        using var scope = machine.Enter();

        nint legacy = ExAllocatePool(NonPagedPoolNx, 128); // POOL001
        nint named = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Consumer"); // POOL002

        var deviceLock = new KSPIN_LOCK();
        KeInitializeSpinLock(deviceLock);
        KeAcquireSpinLock(deviceLock, out KIRQL oldIrql);
        nint atDispatch = Dpc.AllocateWorkItem();
        KeReleaseSpinLock(deviceLock, oldIrql);

        Console.WriteLine($"blocks: {legacy != 0} {named != 0} {atDispatch != 0}; irql: {KeGetCurrentIrql()}");
        ExFreePool(legacy);
        ExFreePoolWithTag(named, "Consumer"); // POOL002
        ExFreePool(atDispatch);
        Console.WriteLine("freed");

        internal static class Dpc
        {
            [IrqlRequiresMin(DISPATCH_LEVEL)]
            public static nint AllocateWorkItem() => ExAllocatePoolWithTag(PagedPool, 32, "Work"); // POOL004

            // Kept for callers that only need a header; never called here.
            public static nint AllocateEmptyHeader() => ExAllocatePoolWithTag(NonPagedPoolNx, 0, "Head"); // POOL003
        }
        """;

    private ConsumerProject(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>Runs <c>dotnet new console</c> in <paramref name="directory"/> and points NuGet at <paramref name="packageFolder"/>.</summary>
    public static async Task<ConsumerProject> CreateAsync(DotnetCli dotnet, string directory, string packageFolder)
    {
        System.IO.Directory.CreateDirectory(directory);
        DotnetResult created = await dotnet.RunAsync(directory, "new", "console", "--name", Path.GetFileNameWithoutExtension(ProjectFileName), "--output", ".", "--no-restore");
        if (!created.Succeeded || !File.Exists(Path.Combine(directory, ProjectFileName)))
        {
            throw new InvalidOperationException($"'dotnet new console' did not create {ProjectFileName}.\n{created}");
        }

        var consumer = new ConsumerProject(directory);

        // Empty Directory.Build/Packages files stop MSBuild from walking up into whatever encloses
        // the temporary folder; the consumer sees only the SDK and the package.
        consumer.Write("Directory.Build.props", "<Project />");
        consumer.Write("Directory.Build.targets", "<Project />");
        consumer.Write("Directory.Packages.props", "<Project />");
        consumer.Write("NuGet.config", NuGetConfig(packageFolder));
        consumer.Write(ProgramFileName, Program);
        return consumer;
    }

    public string ProgramPath => Path.Combine(Directory, ProgramFileName);

    public void Write(string fileName, string text) => File.WriteAllText(Path.Combine(Directory, fileName), text);

    public string ReadProjectFile() => File.ReadAllText(Path.Combine(Directory, ProjectFileName));

    /// <summary>The line and rule of every marker in <see cref="Program"/>, e.g. (11, "POOL001").</summary>
    public static IReadOnlyList<(int Line, string Id)> ExpectedDiagnostics()
    {
        var expected = new List<(int, string)>();
        string[] lines = Program.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int marker = lines[i].IndexOf("// POOL", StringComparison.Ordinal);
            if (marker >= 0)
            {
                expected.Add((i + 1, lines[i][(marker + 3)..].Trim()));
            }
        }

        return expected;
    }

    // The pack folder serves PoolAnalyzers and only PoolAnalyzers (source mapping), so a package of
    // the same id and version on a feed can never be picked instead; everything else comes from nuget.org.
    private static string NuGetConfig(string packageFolder) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <clear />
            <add key="pack" value="{packageFolder}" />
            <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
          </packageSources>
          <packageSourceMapping>
            <packageSource key="pack">
              <package pattern="PoolAnalyzers" />
            </packageSource>
            <packageSource key="nuget.org">
              <package pattern="*" />
            </packageSource>
          </packageSourceMapping>
        </configuration>
        """;
}
