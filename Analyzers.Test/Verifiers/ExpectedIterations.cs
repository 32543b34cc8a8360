namespace PoolAnalyzers.Test.Verifiers;

/// <summary>
/// How many times a fix (one at a time, or Fix All in one scope) may be applied, in the convention of
/// Microsoft.CodeAnalysis.Testing: a value n ≥ 0 means exactly n (0: no fix may be offered at all);
/// a negative value -n means at most n. -1 is read as exactly 1, as the real library does.
/// </summary>
/// <param name="Value">The count in that convention.</param>
/// <param name="Origin">Where the count came from, for failure messages (the property, or why the default is what it is).</param>
internal readonly record struct ExpectedIterations(int Value, string Origin)
{
    /// <summary>True when the count must be met exactly.</summary>
    public bool IsExact => Value >= -1;

    /// <summary>The largest number of iterations allowed.</summary>
    public int Limit => Value < 0 ? -Value : Value;

    /// <inheritdoc/>
    public override string ToString() => $"{(IsExact ? "exactly" : "at most")} {Limit} ({Origin})";
}
