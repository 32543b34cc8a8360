namespace PoolAnalyzers;

/// <summary>The WDK parameter names of the runtime routines, matched through <c>IArgumentOperation.Parameter</c>.</summary>
internal static class PoolParameterNames
{
    public const string PoolType = "PoolType";
    public const string NumberOfBytes = "NumberOfBytes";
    public const string Tag = "Tag";
    public const string Size = "Size";
    public const string BlockSize = "BlockSize";
    public const string InitialSegmentSize = "InitialSegmentSize";
    public const string SegmentSize = "SegmentSize";
}
