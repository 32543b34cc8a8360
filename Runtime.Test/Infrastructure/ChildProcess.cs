using System;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Text;
using Xunit;

namespace PoolAnalyzers.Runtime.Test.Infrastructure;

/// <summary>
/// Runs a test scenario in a child process of its own: for tests that corrupt the pool, race frees or
/// misuse runtime threads on purpose, where a regression could crash the process it runs in. In a
/// child, a regression fails the test (with the child's output) instead of taking the test host down.
/// </summary>
/// <remarks>
/// The child is this test assembly started with <c>dotnet exec</c>; its entry point
/// (<see cref="Main"/>) runs the named static method and exits with 0 when it returns, 1 when it
/// throws (an assertion failing, an unexpected bug check), and whatever the runtime says when the
/// process crashes. A child that does not finish within <see cref="Patience.Limit"/> is killed.
/// </remarks>
internal static class ChildProcess
{
    private const string ScenarioSwitch = "--scenario";

    /// <summary>Runs <paramref name="scenario"/>, a static method of this assembly, in a child process and asserts it succeeded.</summary>
    public static void Run(Action scenario)
    {
        MethodInfo method = scenario.Method;
        if (!method.IsStatic || method.DeclaringType is null)
        {
            throw new ArgumentException("A child-process scenario is a static method (a method group, not a lambda).", nameof(scenario));
        }

        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        start.ArgumentList.Add(ScenarioSwitch);
        start.ArgumentList.Add(method.DeclaringType.FullName!);
        start.ArgumentList.Add(method.Name);

        var output = new StringBuilder();
        using var child = new Process { StartInfo = start };
        child.OutputDataReceived += (_, line) => Append(output, line.Data);
        child.ErrorDataReceived += (_, line) => Append(output, line.Data);
        child.Start();
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        if (!child.WaitForExit(Patience.Limit))
        {
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
            Assert.Fail($"the scenario {method.Name} did not finish within {Patience.Limit} in its child process; output:\n{output}");
        }

        child.WaitForExit();
        Assert.True(child.ExitCode == 0, $"the scenario {method.Name} failed in its child process (exit code {child.ExitCode}); output:\n{output}");
    }

    /// <summary>The child's entry point: <c>--scenario &lt;type&gt; &lt;method&gt;</c>.</summary>
    public static int Main(string[] args)
    {
        if (args.Length != 3 || args[0] != ScenarioSwitch)
        {
            Console.Error.WriteLine($"usage: {ScenarioSwitch} <type> <static method>");
            return 2;
        }

        MethodInfo? method = typeof(ChildProcess).Assembly.GetType(args[1], throwOnError: true)!
            .GetMethod(args[2], BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes);
        if (method is null)
        {
            Console.Error.WriteLine($"no static method {args[2]}() in {args[1]}");
            return 2;
        }

        try
        {
            method.Invoke(null, null);
            return 0;
        }
        catch (TargetInvocationException failure)
        {
            Console.Error.WriteLine(failure.InnerException);
            return 1;
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    // The test host runs under the dotnet host; a child uses the same one.
    private static string DotnetHost()
    {
        string? current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return current;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
    }
}
