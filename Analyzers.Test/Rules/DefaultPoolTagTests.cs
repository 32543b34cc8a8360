using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = PoolAnalyzers.Test.Verifiers.CSharpCodeFixVerifier<
    PoolAnalyzers.DefaultPoolTagAnalyzer,
    PoolAnalyzers.CodeFixes.DefaultPoolTagCodeFixProvider>;

namespace PoolAnalyzers.Test.Rules;

public sealed class DefaultPoolTagTests
{
    private const string DdkOrigin = "\"Ddk \", the default of the DDK header macros";
    private const string WdmOrigin = "\"Wdm \", the default of the DDK header macros";
    private const string NoneOrigin = "\"None\", the tag the untagged ExAllocatePool routines give every block";

    [Fact]
    public async Task DdkLiteral_ReportedAndReplacedByADerivedTag()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, {|#0:"Ddk "|});
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Driv");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[] { VerifyCS.Diagnostic(DiagnosticIds.DefaultPoolTag).WithLocation(0).WithArguments("ExAllocatePoolWithTag", DdkOrigin) },
            fixedSource);
    }

    [Theory]
    [InlineData("\"None\"", NoneOrigin, "\"Filt\"")]
    [InlineData("\"Wdm \"", WdmOrigin, "\"Filt\"")]
    [InlineData("\"Wdm\"", WdmOrigin, "\"Filt\"")]
    [InlineData("\"Ddk\"", DdkOrigin, "\"Filt\"")]
    [InlineData("0x206B6444u", DdkOrigin, "0x746C6946u")]
    [InlineData("0x656E6F4E", NoneOrigin, "0x746C6946u")]
    public async Task EveryDefaultTag_TextOrNumber_Reported(string tag, string origin, string fixedTag)
    {
        string source = Sources.Usings + $$"""
            class Filter
            {
                nint Allocate() => ExAllocatePoolWithQuotaTag(PagedPool, 64, {|#0:{{tag}}|});
            }
            """;
        string fixedSource = Sources.Usings + $$"""
            class Filter
            {
                nint Allocate() => ExAllocatePoolWithQuotaTag(PagedPool, 64, {{fixedTag}});
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[] { VerifyCS.Diagnostic(DiagnosticIds.DefaultPoolTag).WithLocation(0).WithArguments("ExAllocatePoolWithQuotaTag", origin) },
            fixedSource);
    }

    [Fact]
    public async Task EveryAllocationRoutineAndLookasideInitializer_Reported()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                readonly NPAGED_LOOKASIDE_LIST _list = new();
                readonly PAGED_LOOKASIDE_LIST _paged = new();

                void Start(EX_POOL_PRIORITY priority)
                {
                    ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, [|"None"|]);
                    ExAllocatePool3(POOL_FLAG_NON_PAGED, 64, [|"None"|], null, 0);
                    ExAllocatePoolWithTagPriority(NonPagedPoolNx, 64, [|"Wdm "|], priority);
                    ExAllocatePoolZero(NonPagedPoolNx, 64, [|"Wdm "|]);
                    ExAllocatePoolQuotaUninitialized(PagedPool, 64, [|"Wdm "|]);
                    ExInitializeNPagedLookasideList(_list, null, null, (uint)POOL_NX_ALLOCATION, 64, [|"Ddk "|], 0);
                    ExInitializePagedLookasideList(_paged, null, null, 0, 64, Tag: [|"Ddk "|], Depth: 0);
                }
            }
            """;
        string fixedSource = Sources.ModernUsings + """
            class Driver
            {
                readonly NPAGED_LOOKASIDE_LIST _list = new();
                readonly PAGED_LOOKASIDE_LIST _paged = new();

                void Start(EX_POOL_PRIORITY priority)
                {
                    ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Driv");
                    ExAllocatePool3(POOL_FLAG_NON_PAGED, 64, "Driv", null, 0);
                    ExAllocatePoolWithTagPriority(NonPagedPoolNx, 64, "Driv", priority);
                    ExAllocatePoolZero(NonPagedPoolNx, 64, "Driv");
                    ExAllocatePoolQuotaUninitialized(PagedPool, 64, "Driv");
                    ExInitializeNPagedLookasideList(_list, null, null, (uint)POOL_NX_ALLOCATION, 64, "Driv", 0);
                    ExInitializePagedLookasideList(_paged, null, null, 0, 64, Tag: "Driv", Depth: 0);
                }
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task NamedConstantUsedToAllocateAndFree_DeclarationChanged()
    {
        string source = Sources.Usings + """
            class Device
            {
                private const string DeviceTag = "Ddk ";

                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, {|#0:DeviceTag|});

                void Free(nint block) => ExFreePoolWithTag(block, DeviceTag);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Device
            {
                private const string DeviceTag = "Devi";

                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, DeviceTag);

                void Free(nint block) => ExFreePoolWithTag(block, DeviceTag);
            }
            """;

        var test = new VerifyCS.Test { TestCode = source, FixedCode = fixedSource };
        test.ExpectedDiagnostics.Add(VerifyCS.Diagnostic(DiagnosticIds.DefaultPoolTag).WithLocation(0).WithArguments("ExAllocatePoolWithTag", DdkOrigin));
        await test.RunAsync();
    }

    [Fact]
    public async Task StaticReadonlyTagFieldsAndNumericConstant_DeclarationChanged()
    {
        string source = Sources.Usings + """
            class Device
            {
                private static readonly PoolTag ContextTag = "None";
                private static readonly string NameTag = ("Wdm ");
                private const uint BufferTag = 0x206B6444;

                void Start()
                {
                    ExAllocatePoolWithTag(PagedPool, 64, [|ContextTag|]);
                    ExAllocatePoolWithTag(PagedPool, 64, [|NameTag|]);
                    ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|BufferTag|]);
                    ExAllocatePoolWithTag(NonPagedPoolNx, 128, [|BufferTag|]);
                }
            }
            """;
        string fixedSource = Sources.Usings + """
            class Device
            {
                private static readonly PoolTag ContextTag = "Devi";
                private static readonly string NameTag = ("Devi");
                private const uint BufferTag = 0x69766544u;

                void Start()
                {
                    ExAllocatePoolWithTag(PagedPool, 64, ContextTag);
                    ExAllocatePoolWithTag(PagedPool, 64, NameTag);
                    ExAllocatePoolWithTag(NonPagedPoolNx, 64, BufferTag);
                    ExAllocatePoolWithTag(NonPagedPoolNx, 128, BufferTag);
                }
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task ConstantInAnotherDocument_DeclarationChangedThere()
    {
        var test = new VerifyCS.Test();
        test.TestState.Sources.Add(Sources.Usings + """
            static class Tags
            {
                public const string Shared = "Wdm ";
            }
            """);
        test.TestState.Sources.Add(Sources.Usings + """
            class Driver
            {
                nint A() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|Tags.Shared|]);
                void B(nint block) => ExFreePoolWithTag(block, Tags.Shared);
            }
            """);
        test.FixedState.Sources.Add(Sources.Usings + """
            static class Tags
            {
                public const string Shared = "Tags";
            }
            """);
        test.FixedState.Sources.Add(Sources.Usings + """
            class Driver
            {
                nint A() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, Tags.Shared);
                void B(nint block) => ExFreePoolWithTag(block, Tags.Shared);
            }
            """);

        await test.RunAsync();
    }

    [Fact]
    public async Task FreeWithTheSameDefaultTagElsewhere_ReportedWithoutFix()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                private const string Legacy = "Ddk ";

                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|"Ddk "|]);
                nint AllocateNamed() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|Legacy|]);
            }

            class Unload
            {
                void Free(nint block) => ExFreePool2(block, "Ddk ", null, 0);
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, source);
    }

    [Fact]
    public async Task FreesAndOtherTags_NotReported()
    {
        string source = Sources.ModernUsings + """
            class Driver
            {
                private static PoolTag s_mutable = "Ddk ";
                private static readonly PoolTag Computed = ((PoolTag)"Wdm ").Value;

                void Run(PoolTag tag, nint block)
                {
                    ExFreePoolWithTag(block, "Ddk ");
                    ExFreePoolWithTag(block, "None");
                    ExFreePool2(block, 0x206D6457u, null, 0);
                    ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                    ExAllocatePoolWithTag(NonPagedPoolNx, 64, "DDK ");
                    ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Ddk_");
                    ExAllocatePoolWithTag(NonPagedPoolNx, 64, "none");
                    ExAllocatePoolWithTag(NonPagedPoolNx, 64, " Wdm");
                    ExAllocatePoolWithTag(NonPagedPoolNx, 64, 0x206B6445u);
                    ExAllocatePoolWithTag(NonPagedPoolNx, 64, tag);
                    ExAllocatePoolWithTag(NonPagedPoolNx, 64, s_mutable);
                    ExAllocatePoolWithTag(NonPagedPoolNx, 64, Computed);
                    PoolTag local = "Ddk ";
                    ExAllocatePoolWithTag(NonPagedPoolNx, 64, local);
                    bool same = tag == "None";
                    _ = same;
                }
            }
            """;

        await VerifyCS.VerifyAnalyzerAsync(source);
    }

    [Fact]
    public async Task ProtectedDefaultTag_ReportedWithoutFix()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|0xA06B6444u|]);
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, source);
    }

    [Fact]
    public async Task FixAll_TwoDocumentsAndTwoProjects_AllReplaced()
    {
        var test = new VerifyCS.Test();
        test.TestState.Sources.Add(Sources.Usings + """
            public class Driver
            {
                private const string DriverTag = "None";
                nint A() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|DriverTag|]);
                nint B() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, [|DriverTag|]);
                nint C() => ExAllocatePoolWithTag(PagedPool, 64, [|"Wdm "|]);
            }
            """);
        test.TestState.Sources.Add(Sources.Usings + """
            class Filter
            {
                nint D() => ExAllocatePoolWithTag(NonPagedPoolNx, 8, [|"Ddk "|]);
            }
            """);
        test.TestState.AdditionalProjects["Second"].Sources.Add(Sources.Usings + """
            class Other
            {
                nint E() => ExAllocatePoolWithTag(NonPagedPoolNx, 8, [|0x206B6444u|]);
            }
            """);
        test.FixedState.Sources.Add(Sources.Usings + """
            public class Driver
            {
                private const string DriverTag = "Driv";
                nint A() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, DriverTag);
                nint B() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, DriverTag);
                nint C() => ExAllocatePoolWithTag(PagedPool, 64, "Driv");
            }
            """);
        test.FixedState.Sources.Add(Sources.Usings + """
            class Filter
            {
                nint D() => ExAllocatePoolWithTag(NonPagedPoolNx, 8, "Filt");
            }
            """);
        test.FixedState.AdditionalProjects["Second"].Sources.Add(Sources.Usings + """
            class Other
            {
                nint E() => ExAllocatePoolWithTag(NonPagedPoolNx, 8, 0x6568744Fu);
            }
            """);

        await test.RunAsync();
    }

    [Fact]
    public async Task NoRuntimeReference_NothingReported()
    {
        string source = """
            namespace Legacy
            {
                static class Ex
                {
                    public static nint ExAllocatePoolWithTag(int type, nuint size, string tag) => 0;
                }

                class Driver
                {
                    nint Allocate() => Ex.ExAllocatePoolWithTag(512, 64, "Ddk ");
                }
            }
            """;

        await new VerifyCS.Test { TestCode = source, ReferenceRuntime = false }.RunAsync();
    }
}
