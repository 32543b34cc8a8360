using System.Collections.Generic;
using System.Diagnostics;
using System.Reflection;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// Driver Verifier's systematic low-resources simulation: the first allocation from each distinct
/// call site fails, every later one from the same site succeeds, so a test run walks every
/// failure path once. A call site is the first frame outside this runtime (the driver's method and
/// IL offset), so a lookaside miss counts at the driver's <c>ExAllocateFrom…LookasideList</c> call.
/// </summary>
/// <remarks>
/// Finding the call site walks the stack, which costs microseconds: this mode is for tests, like the
/// verifier option it mirrors. Methods the JIT inlines into their caller count as that caller.
/// </remarks>
internal sealed class SystematicLowResources(TagFilter tags)
{
    private static readonly Assembly s_runtime = typeof(SystematicLowResources).Assembly;

    private readonly object _lock = new();
    private readonly HashSet<(nint Method, int Offset)> _failedSites = [];

    public bool ShouldFail(uint bareTag)
    {
        if (!tags.Matches(bareTag) || CallSite() is not { } site)
        {
            return false;
        }

        lock (_lock)
        {
            return _failedSites.Add(site);
        }
    }

    private static (nint Method, int Offset)? CallSite()
    {
        var trace = new StackTrace(skipFrames: 1, fNeedFileInfo: false);
        for (int i = 0; i < trace.FrameCount; i++)
        {
            StackFrame frame = trace.GetFrame(i)!;
            MethodBase? method = frame.GetMethod();
            if (method is not null && method.DeclaringType?.Assembly != s_runtime)
            {
                return (method.MethodHandle.Value, frame.GetILOffset());
            }
        }

        return null;
    }
}
