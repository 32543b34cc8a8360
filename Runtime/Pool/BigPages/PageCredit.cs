using System.Diagnostics.CodeAnalysis;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// Capacity one thread has charged to the paged and nonpaged pools for page-granular blocks and not
/// yet given to a block: the reserve <see cref="BigPageHeap"/> draws on and refunds to, so a steady
/// stream of page-sized allocate + free pairs touches no shared counter. Written only by the owning
/// thread (and by the pool once the thread has exited); others read it for the committed-bytes sums.
/// </summary>
internal struct PageCredit
{
    public long Paged;
    public long NonPaged;

    [UnscopedRef]
    public ref long Of(bool paged) => ref paged ? ref Paged : ref NonPaged;
}
