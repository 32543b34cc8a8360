using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using PoolAnalyzers.CodeFixes;
using Xunit;
using VerifyCS = PoolAnalyzers.Test.Verifiers.CSharpCodeFixVerifier<
    PoolAnalyzers.DeprecatedAllocationAnalyzer,
    PoolAnalyzers.CodeFixes.DeprecatedAllocationCodeFixProvider>;

namespace PoolAnalyzers.Test.Rules;

public sealed class DeprecatedAllocationTests
{
    [Fact]
    public async Task WithTag_NonPagedNx_MigratedToPool2()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate() => {|#0:ExAllocatePoolWithTag|}(NonPagedPoolNx, 64, "Drv1");
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePool2(POOL_FLAGS.POOL_FLAG_NON_PAGED, 64, "Drv1");
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(
            source,
            new[] { VerifyCS.Diagnostic(DiagnosticIds.DeprecatedAllocation).WithLocation(0).WithArguments("ExAllocatePoolWithTag", "ExAllocatePool2", "with POOL_FLAG_NON_PAGED") },
            fixedSource);
    }

    [Fact]
    public async Task Priority_MigratedToPool3()
    {
        string source = Sources.Usings + """
            class Driver
            {
                nint Allocate() => [|ExAllocatePoolWithTagPriority|](NonPagedPoolNx | POOL_RAISE_IF_ALLOCATION_FAILURE, 64, "Drv1", EX_POOL_PRIORITY.LowPoolPriority);
            }
            """;
        string fixedSource = Sources.Usings + """
            class Driver
            {
                nint Allocate() => ExAllocatePool3(POOL_FLAGS.POOL_FLAG_NON_PAGED | POOL_FLAGS.POOL_FLAG_RAISE_ON_FAILURE, 64, "Drv1", new POOL_EXTENDED_PARAMETER[] { new POOL_EXTENDED_PARAMETER { Type = POOL_EXTENDED_PARAMETER_TYPE.PoolExtendedParameterPriority, Priority = EX_POOL_PRIORITY.LowPoolPriority } }, 1);
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }

    [Fact]
    public async Task ZeroingRemoved()
    {
        string source = Sources.Usings + """
            using static PoolAnalyzers.Runtime.Rtl;
            using static PoolAnalyzers.Runtime.POOL_FLAGS;
            class Driver
            {
                nint Allocate(nuint size)
                {
                    nint block = [|ExAllocatePoolWithQuotaTag|](PagedPool, size, "Drv1");
                    if (block == 0)
                    {
                        return 0;
                    }

                    // Clear it.
                    RtlZeroMemory(block, size);
                    return block;
                }
            }
            """;
        string fixedSource = Sources.Usings + """
            using static PoolAnalyzers.Runtime.Rtl;
            using static PoolAnalyzers.Runtime.POOL_FLAGS;
            class Driver
            {
                nint Allocate(nuint size)
                {
                    nint block = ExAllocatePool2(POOL_FLAG_PAGED | POOL_FLAG_USE_QUOTA | POOL_FLAG_RAISE_ON_FAILURE, size, "Drv1");
                    if (block == 0)
                    {
                        return 0;
                    }

                    return block;
                }
            }
            """;

        await VerifyCS.VerifyCodeFixAsync(source, fixedSource);
    }
}
