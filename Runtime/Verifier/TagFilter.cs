using System.Collections.Generic;

namespace PoolAnalyzers.Runtime;

/// <summary>A set of bare tags (PROTECTED_POOL stripped), or every tag.</summary>
internal sealed class TagFilter
{
    private readonly HashSet<uint>? _tags;

    public TagFilter(IReadOnlyCollection<PoolTag>? tags)
    {
        if (tags is null)
        {
            return;
        }

        _tags = [];
        foreach (PoolTag tag in tags)
        {
            _tags.Add(tag.Value & ~PoolTag.PROTECTED_POOL);
        }
    }

    public bool Matches(uint bareTag) => _tags is null || _tags.Contains(bareTag);
}
