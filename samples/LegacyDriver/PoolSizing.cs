using PoolAnalyzers.Runtime;

namespace LegacyDriver;

/// <summary>How much the driver preallocates, chosen from <c>MmQuerySystemSize</c> as drivers of the NT 4 era did.</summary>
/// <param name="InitialZoneBlocks">Message buffers carved from the zone's first segment.</param>
/// <param name="ExtensionZoneBlocks">Message buffers added each time the zone runs dry.</param>
internal readonly record struct PoolSizing(uint InitialZoneBlocks, uint ExtensionZoneBlocks)
{
    public static PoolSizing For(MM_SYSTEMSIZE systemSize) => systemSize switch
    {
        MM_SYSTEMSIZE.MmSmallSystem => new PoolSizing(InitialZoneBlocks: 8, ExtensionZoneBlocks: 8),
        MM_SYSTEMSIZE.MmMediumSystem => new PoolSizing(InitialZoneBlocks: 32, ExtensionZoneBlocks: 16),
        _ => new PoolSizing(InitialZoneBlocks: 128, ExtensionZoneBlocks: 64),
    };
}
