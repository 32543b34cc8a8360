using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading.Tasks;

namespace PoolAnalyzers.Test.EndToEnd;

/// <summary>The outcome of one <c>dotnet</c> child process.</summary>
internal sealed record DotnetResult(string CommandLine, int ExitCode, string Output)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The command and everything it printed, for failure messages.</summary>
    public override string ToString() => $"> dotnet {CommandLine}  (exit code {ExitCode})\n{Output}";
}

/// <summary>
/// Runs the <c>dotnet</c> CLI as a child process with a clean environment and a time limit. Given a
/// <paramref name="nugetPackagesFolder"/>, packages are restored into it instead of the user's cache.
/// </summary>
internal sealed class DotnetCli(string? nugetPackagesFolder = null)
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    public async Task<DotnetResult> RunAsync(string workingDirectory, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(DotnetExecutable())
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        ConfigureEnvironment(startInfo.Environment);

        var output = new StringBuilder();
        using var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        string commandLine = string.Join(' ', arguments);
        try
        {
            await process.WaitForExitAsync().WaitAsync(s_timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'dotnet {commandLine}' did not finish within {s_timeout.TotalSeconds} s. Output so far:\n{Snapshot(output)}");
        }

        // The parameterless wait drains the redirected streams after the exit.
        process.WaitForExit();
        return new DotnetResult(commandLine, process.ExitCode, Snapshot(output));
    }

    private void ConfigureEnvironment(IDictionary<string, string?> environment)
    {
        // The test host runs under 'dotnet test'; MSBuild and VSTest variables it inherited would
        // steer the child builds, so each child starts from a plain environment.
        var inherited = new List<string>(environment.Keys);
        foreach (string name in inherited)
        {
            if (name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
            {
                environment.Remove(name);
            }
        }

        if (nugetPackagesFolder is not null)
        {
            environment["NUGET_PACKAGES"] = nugetPackagesFolder;
        }

        environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        environment["DOTNET_NOLOGO"] = "1";
        environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        environment["MSBUILDDISABLENODEREUSE"] = "1";
    }

    private static string DotnetExecutable()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
