using System.Threading.Tasks;
using Xunit;
using VerifyCS = PoolAnalyzers.Test.Verifiers.CSharpAnalyzerVerifier<PoolAnalyzers.ZeroSizeRequestAnalyzer>;

namespace PoolAnalyzers.Test.Rules;

public sealed class ZeroSizeRequestTests
{
    [Fact]
    public async Task LiteralZero_ReportedOnTheArgument()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, {|#0:0|}, "Drv1");
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.ZeroSizeRequest).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "NumberOfBytes"));
    }

    [Fact]
    public async Task EveryAllocationRoutine_Reported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                void Run()
                {
                    ExAllocatePool(NonPagedPoolNx, [|0|]);
                    ExAllocatePoolWithQuota(PagedPool, [|0|]);
                    ExAllocatePoolWithTag(NonPagedPoolNx, [|0|], "Drv1");
                    ExAllocatePoolWithQuotaTag(PagedPool, [|0|], "Drv1");
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task FoldedConstants_Reported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                const int HeaderSize = 16;
                const int Payload = HeaderSize - 16;
                void Run()
                {
                    ExAllocatePoolWithTag(NonPagedPoolNx, [|sizeof(int) - 4|], "Drv1");
                    ExAllocatePoolWithTag(NonPagedPoolNx, [|Payload|], "Drv1");
                    ExAllocatePoolWithTag(NonPagedPoolNx, [|(nuint)(HeaderSize * 0)|], "Drv1");
                    ExAllocatePoolWithTag(NonPagedPoolNx, [|default|], "Drv1");
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task NamedArgument_ReportedWherePlaced()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(Tag: "Drv1", NumberOfBytes: [|0|], PoolType: NonPagedPoolNx);
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task LookasideSizeZero_Reported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                void Run(NPAGED_LOOKASIDE_LIST n, PAGED_LOOKASIDE_LIST p)
                {
                    ExInitializeNPagedLookasideList(n, null, null, 0, {|#0:0|}, "Drv1", 0);
                    ExInitializePagedLookasideList(p, null, null, 0, [|0|], "Drv1", 0);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.ZeroSizeRequest).WithLocation(0).WithArguments("ExInitializeNPagedLookasideList", "Size"));
    }

    [Fact]
    public async Task ZoneSizesZero_Reported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                void Run(ZONE_HEADER zone, nint segment, KSPIN_LOCK spinLock)
                {
                    ExInitializeZone(zone, {|#0:0|}, segment, [|0|]);
                    ExExtendZone(zone, segment, [|0|]);
                    ExInterlockedExtendZone(zone, segment, [|0|], spinLock);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.ZeroSizeRequest).WithLocation(0).WithArguments("ExInitializeZone", "BlockSize"));
    }

    [Fact]
    public async Task NonZeroOrVariableSizes_NotReported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                void Run(nuint size, ZONE_HEADER zone, nint segment, NPAGED_LOOKASIDE_LIST n)
                {
                    ExAllocatePoolWithTag(NonPagedPoolNx, 1, "Drv1");
                    ExAllocatePoolWithTag(NonPagedPoolNx, size, "Drv1");
                    ExAllocatePoolWithTag(NonPagedPoolNx, sizeof(long), "Drv1");
                    ExInitializeNPagedLookasideList(n, null, null, 0, 64, "Drv1", 0);
                    ExInitializeZone(zone, 64, segment, 4096);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task OtherZeroArguments_NotReported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                void Run(NPAGED_LOOKASIDE_LIST n, ZONE_HEADER zone)
                {
                    ExInitializeNPagedLookasideList(n, null, null, 0, 64, "Drv1", 0);
                    ExInitializeZone(zone, 64, 0, 4096);
                    ExFreePoolWithTag(0, 0);
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task OwnRoutineWithSameName_NotReported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                static nint ExAllocatePoolWithTag(POOL_TYPE type, nuint NumberOfBytes, string tag) => 0;
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 0, "Drv1");
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task NoRuntimeReference_NothingReported()
    {
        string source = """
            static class Ex
            {
                public static nint ExAllocatePoolWithTag(int type, nuint NumberOfBytes, uint tag) => 0;
            }

            class Driver
            {
                nint Allocate() => Ex.ExAllocatePoolWithTag(0, 0, 0x64657246);
            }
            """;

        await new VerifyCS.Test { TestCode = source, ReferenceRuntime = false }.RunAsync();
    }

    [Fact]
    public async Task FieldInitializerAndLambda_Reported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                static readonly nint Header = ExAllocatePoolWithTag(NonPagedPoolNx, [|0|], "Drv1");
                readonly Func<nint> _allocate = () => Ex.ExAllocatePoolWithTag(NonPagedPoolNx, [|0|], "Drv1");
                readonly Action<NPAGED_LOOKASIDE_LIST> _initialize = list => ExInitializeNPagedLookasideList(list, null, null, 0, [|0|], "Drv1", 0);
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task NamedSizeArgument_ReportedWherePlaced()
    {
        string source = Sources.Usings + """
            class Driver
            {
                void Run(NPAGED_LOOKASIDE_LIST list) => ExInitializeNPagedLookasideList(
                    Tag: "Drv1",
                    Size: {|#0:0|},
                    Lookaside: list,
                    Allocate: null,
                    Free: null,
                    Flags: 0,
                    Depth: 0);
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(
            source,
            VerifyCS.Diagnostic(DiagnosticIds.ZeroSizeRequest).WithLocation(0).WithArguments("ExInitializeNPagedLookasideList", "Size"));
    }

    [Fact]
    public async Task ZeroNuintConstant_Reported()
    {
        string source = Sources.Usings + """
            class Driver
            {
                const nuint Empty = 0;
                const nuint Header = 16;
                nint A() => ExAllocatePoolWithTag(NonPagedPoolNx, [|Empty|], "Drv1");
                nint B() => ExAllocatePoolWithTag(NonPagedPoolNx, [|Header - 16|], "Drv1");
                nint C() => ExAllocatePoolWithTag(NonPagedPoolNx, Header, "Drv1");
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }
}
