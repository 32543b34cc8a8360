using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = PoolAnalyzers.Test.Verifiers.CSharpAnalyzerVerifier<PoolAnalyzers.ObsoleteRoutineAnalyzer>;

namespace PoolAnalyzers.Test.Rules;

public sealed class ObsoleteRoutineTests
{
    private const string Zones = "zones are replaced by lookaside lists";

    [Fact]
    public async Task EveryZoneRoutine_ReportedWithWhatReplacesIt()
    {
        string source = Sources.Usings + """
            using static PoolAnalyzers.Runtime.Nt;

            class Driver
            {
                NTSTATUS Run(ZONE_HEADER zone, KSPIN_LOCK spinLock, nint segment, nint more)
                {
                    NTSTATUS status = {|#0:ExInitializeZone|}(zone, 64, segment, 4096);
                    if (!NT_SUCCESS(status))
                    {
                        return status;
                    }

                    nint a = {|#1:ExAllocateFromZone|}(zone);
                    nint b = Ex.{|#2:ExInterlockedAllocateFromZone|}(zone, spinLock);
                    _ = {|#3:ExFreeToZone|}(zone, a);
                    _ = {|#4:ExInterlockedFreeToZone|}(zone, b, spinLock);
                    _ = {|#5:ExIsFullZone|}(zone) || {|#6:ExIsObjectInFirstZoneSegment|}(zone, a);
                    _ = {|#7:ExExtendZone|}(zone, more, 4096);
                    return {|#8:ExInterlockedExtendZone|}(zone, more, 4096, spinLock);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            Expected(0, "ExInitializeZone", $"{Zones}; initialize one with 'ExInitializeNPagedLookasideList' (or its paged twin) instead"),
            Expected(1, "ExAllocateFromZone", $"{Zones}; take an entry with 'ExAllocateFromNPagedLookasideList' instead"),
            Expected(2, "ExInterlockedAllocateFromZone", $"{Zones}; take an entry with 'ExAllocateFromNPagedLookasideList' instead"),
            Expected(3, "ExFreeToZone", $"{Zones}; return the entry with 'ExFreeToNPagedLookasideList' instead"),
            Expected(4, "ExInterlockedFreeToZone", $"{Zones}; return the entry with 'ExFreeToNPagedLookasideList' instead"),
            Expected(5, "ExIsFullZone", $"{Zones}, which never run dry and have no segments to inspect"),
            Expected(6, "ExIsObjectInFirstZoneSegment", $"{Zones}, which never run dry and have no segments to inspect"),
            Expected(7, "ExExtendZone", $"{Zones}, which allocate from pool when they run dry instead of being extended"),
            Expected(8, "ExInterlockedExtendZone", $"{Zones}, which allocate from pool when they run dry instead of being extended"));
    }

    [Fact]
    public async Task MmIsThisAnNtAsSystem_ReportedWithTheVersionQuery()
    {
        string source = Sources.Usings + """
            class Driver
            {
                bool Server() => Mm.{|#0:MmIsThisAnNtAsSystem|}();
                Func<bool> _query = Mm.{|#1:MmIsThisAnNtAsSystem|};
            }
            """;

        const string Advice = "since Windows XP a version query replaces it; read the product type from RtlGetVersion's wProductType (in this runtime, KernelSystem.Current.Configuration.ProductType)";
        await VerifyCS.VerifyAnalyzerAsync(source, Expected(0, "MmIsThisAnNtAsSystem", Advice), Expected(1, "MmIsThisAnNtAsSystem", Advice));
    }

    [Fact]
    public async Task ReplacementsAndNameOf_NotReported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                readonly NPAGED_LOOKASIDE_LIST _list = new();

                void Run()
                {
                    ExInitializeNPagedLookasideList(_list, null, null, (uint)POOL_NX_ALLOCATION, 64, "Drv1", 0);
                    nint entry = ExAllocateFromNPagedLookasideList(_list);
                    ExFreeToNPagedLookasideList(_list, entry);
                    ExDeleteNPagedLookasideList(_list);
                    _ = Mm.MmQuerySystemSize();
                    _ = KernelSystem.Current.Configuration.ProductType;
                    _ = nameof(ExInitializeZone) + nameof(Mm.MmIsThisAnNtAsSystem);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task OwnRoutineWithAnObsoleteName_NotReported()
    {
        string source = """
            static class Legacy
            {
                public static bool MmIsThisAnNtAsSystem() => true;
            }

            class Driver
            {
                bool Server() => Legacy.MmIsThisAnNtAsSystem();
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task NoRuntimeReference_NothingReported()
    {
        string source = """
            namespace Legacy
            {
                static class Ex
                {
                    public static int ExInitializeZone(object zone, uint blockSize, nint segment, uint size) => 0;
                }

                class Driver
                {
                    int Start() => Ex.ExInitializeZone(new object(), 64, 0, 4096);
                }
            }
            """;

        await new VerifyCS.Test { TestCode = source, ReferenceRuntime = false }.RunAsync();
    }

    private static DiagnosticResult Expected(int location, string routine, string advice)
        => VerifyCS.Diagnostic(DiagnosticIds.ObsoleteRoutine).WithLocation(location).WithArguments(routine, advice);
}
