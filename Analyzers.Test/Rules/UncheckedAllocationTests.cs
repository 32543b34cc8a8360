using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = PoolAnalyzers.Test.Verifiers.CSharpAnalyzerVerifier<PoolAnalyzers.UncheckedAllocationAnalyzer>;

namespace PoolAnalyzers.Test.Rules;

/// <summary>
/// POOL009: every kind of use of an unchecked result is reported once, on the first use; every check form,
/// raising allocation and non-use (return, store, pass) is silent.
/// </summary>
public sealed class UncheckedAllocationTests
{
    private static Task VerifyAsync(string members, params DiagnosticResult[] expected)
        => VerifyCS.VerifyAnalyzerAsync(Sources.KernelUsings + """
            using System.Diagnostics;
            using System.Runtime.CompilerServices;
            using System.Runtime.InteropServices;
            using static PoolAnalyzers.Runtime.Rtl;

            unsafe class Driver
            {
                private readonly NPAGED_LOOKASIDE_LIST _list = new();
                private readonly ZONE_HEADER _zone = new();
                private nint _saved;

            """ + members + "\n}\n", expected);

    [Fact]
    public Task Dereference_ReportedWithTheAllocationAndLine() => VerifyAsync(
        """
            void Write()
            {
                nint buffer = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                *(int*){|#0:buffer|} = 1;
                *(int*)buffer = 2;
                ExFreePoolWithTag(buffer, "Drv1");
            }
        """,
        VerifyCS.Diagnostic(DiagnosticIds.UncheckedAllocation).WithLocation(0).WithArguments("buffer", "ExAllocatePoolWithTag", "20", string.Empty));

    [Fact]
    public Task EveryKindOfUse_Reported() => VerifyAsync(
        """
            struct HEADER { public int Size; }

            void Uses(nint other)
            {
                nint a = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                ((HEADER*){|#0:a|})->Size = 4;
                nint b = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Drv1");
                ((byte*){|#1:b|})[3] = 1;
                nint c = ExAllocatePoolZero(NonPagedPoolNx, 64, "Drv1");
                var span = new Span<byte>((void*){|#2:c|}, 64);
                nint d = ExAllocateFromNPagedLookasideList(_list);
                RtlZeroMemory({|#3:d|}, 64);
                nint e = ExAllocateFromZone(_zone);
                RtlCopyMemory(other, {|#4:e|}, 16);
                nint f = ExAllocatePoolWithTagPriority(NonPagedPoolNx, 64, "Drv1", EX_POOL_PRIORITY.LowPoolPriority);
                Marshal.WriteInt32({|#5:f|}, 7);
                nint g = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                NativeMemory.Clear((void*){|#6:g|}, 64);
                nint h = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                Unsafe.Write((void*){|#7:h|}, 5);
                nint i = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                Buffer.MemoryCopy((void*)other, (void*){|#8:i|}, 64, 64);
                nint j = ExAllocatePoolWithQuotaTag(NonPagedPoolNx | POOL_QUOTA_FAIL_INSTEAD_OF_RAISE, 64, "Drv1");
                *(long*)({|#9:j|} + 8) = 0;
                _saved = a + b + c + d + e + f + g + h + i + j;
            }
        """,
        Expect(0, "a", "ExAllocatePoolWithTag", "22"),
        Expect(1, "b", "ExAllocatePool2", "24"),
        Expect(2, "c", "ExAllocatePoolZero", "26"),
        Expect(3, "d", "ExAllocateFromNPagedLookasideList", "28"),
        Expect(4, "e", "ExAllocateFromZone", "30"),
        Expect(5, "f", "ExAllocatePoolWithTagPriority", "32"),
        Expect(6, "g", "ExAllocatePoolWithTag", "34"),
        Expect(7, "h", "ExAllocatePoolWithTag", "36"),
        Expect(8, "i", "ExAllocatePoolWithTag", "38"),
        Expect(9, "j", "ExAllocatePoolWithQuotaTag", "40"));

    private static DiagnosticResult Expect(int location, string pointer, string routine, string line)
        => VerifyCS.Diagnostic(DiagnosticIds.UncheckedAllocation).WithLocation(location).WithArguments(pointer, routine, line, string.Empty);
}
