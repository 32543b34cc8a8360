using System;
using System.Collections.Generic;
using System.IO;

namespace PoolAnalyzers.Test.EndToEnd;

/// <summary>
/// A fresh console project, written out offline, to which the test adds the packed PoolAnalyzers
/// package the way a customer would (<c>dotnet add package PoolAnalyzers</c>).
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

    public const string ProjectFile = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>disable</ImplicitUsings>
          </PropertyGroup>
        </Project>
        """;

    public ConsumerProject(string directory, string packageFolder)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);

        // Empty Directory.Build/Packages files stop MSBuild from walking up into whatever encloses
        // the temporary folder; the consumer sees only the SDK and the package.
        Write("Directory.Build.props", "<Project />");
        Write("Directory.Build.targets", "<Project />");
        Write("Directory.Packages.props", "<Project />");
        Write("NuGet.config", NuGetConfig(packageFolder));
        Write(ProjectFileName, ProjectFile);
        Write(ProgramFileName, Program);
    }

    public string Directory { get; }

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
