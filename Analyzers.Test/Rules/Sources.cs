namespace PoolAnalyzers.Test.Rules;

/// <summary>Text shared by the rule tests' sources.</summary>
internal static class Sources
{
    /// <summary>The usings driver-style code writes, so calls read like the WDK.</summary>
    public const string Usings = """
        using System;
        using PoolAnalyzers.Runtime;
        using static PoolAnalyzers.Runtime.Ex;
        using static PoolAnalyzers.Runtime.KIRQL;
        using static PoolAnalyzers.Runtime.POOL_TYPE;

        """;

    /// <summary><see cref="Usings"/> plus the modern pool API's flags and the Rtl memory routines.</summary>
    public const string ModernUsings = """
        using System;
        using PoolAnalyzers.Runtime;
        using static PoolAnalyzers.Runtime.Ex;
        using static PoolAnalyzers.Runtime.KIRQL;
        using static PoolAnalyzers.Runtime.POOL_FLAGS;
        using static PoolAnalyzers.Runtime.POOL_TYPE;
        using static PoolAnalyzers.Runtime.Rtl;

        """;

    /// <summary><see cref="Usings"/> plus the kernel core routines (spin locks, IRQL) and POOL_FLAGS.</summary>
    public const string KernelUsings = Usings + """
        using static PoolAnalyzers.Runtime.Ke;
        using static PoolAnalyzers.Runtime.POOL_FLAGS;

        """;
}
