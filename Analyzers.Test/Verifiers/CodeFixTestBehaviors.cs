using System;

namespace PoolAnalyzers.Test.Verifiers;

/// <summary>Opt-outs from the Fix All runs of a code-fix test (the names Microsoft.CodeAnalysis.Testing uses).</summary>
[Flags]
public enum CodeFixTestBehaviors
{
    /// <summary>Run Fix All in every scope.</summary>
    None = 0,

    /// <summary>Skip Fix All in document scope.</summary>
    SkipFixAllInDocumentCheck = 1,

    /// <summary>Skip Fix All in project scope.</summary>
    SkipFixAllInProjectCheck = 2,

    /// <summary>Skip Fix All in solution scope.</summary>
    SkipFixAllInSolutionCheck = 4,

    /// <summary>Skip Fix All in every scope.</summary>
    SkipFixAllCheck = SkipFixAllInDocumentCheck | SkipFixAllInProjectCheck | SkipFixAllInSolutionCheck,
}
