using System;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>Opt-outs from the automatic re-runs every analyzer test gets.</summary>
[Flags]
public enum TestBehaviors
{
    /// <summary>Run everything.</summary>
    None = 0,

    /// <summary>Skip the re-run with <c>// &lt;auto-generated/&gt;</c> on every source.</summary>
    SkipGeneratedCodeCheck = 1,

    /// <summary>Skip the re-run with <c>#pragma warning disable</c> of the expected IDs.</summary>
    SkipSuppressionCheck = 2,
}
