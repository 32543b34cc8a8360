namespace PoolAnalyzers.Runtime;

/// <summary>The product type of the emulated system (workstation or server), as in the WDK.</summary>
public enum NT_PRODUCT_TYPE
{
    /// <summary>A workstation (client) product.</summary>
    NtProductWinNt = 1,
    /// <summary>A domain controller (server) product.</summary>
    NtProductLanManNt = 2,
    /// <summary>A server product.</summary>
    NtProductServer = 3,
}
