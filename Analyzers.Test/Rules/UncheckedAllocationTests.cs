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

    [Fact]
    public Task EveryCheckForm_Silent() => VerifyAsync(
        """
            void Checks()
            {
                nint a = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                if (a == 0) return;
                *(int*)a = 1;

                nint b = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                if (b != 0) { *(int*)b = 1; }

                nint c = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                if (c == IntPtr.Zero) throw new InvalidOperationException();
                *(int*)c = 1;

                nint d = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                if (d == nint.Zero) return;
                *(int*)d = 1;

                nint e = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                if (e is 0) return;
                *(int*)e = 1;

                nint f = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                if (f is not 0) { *(int*)f = 1; }

                nint g = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                if (g == default) return;
                *(int*)g = 1;

                nint h = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                if (!(0 != h)) return;
                *(int*)h = 1;

                nint i = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                if (i != 0 && *(int*)i == 0) { }

                nint j = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                int k = j == 0 ? 0 : *(int*)j;

                nint l = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                bool ok = l != 0;
                if (ok) { *(int*)l = 1; }

                nint m = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                if (!IsUsable(m)) return;
                *(int*)m = 1;

                nint n = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                while (n == 0) { n = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1"); }
                *(int*)n = 1;

                _saved = a + b + c + d + e + f + g + h + i + j + k + l + m + n;
            }

            static bool IsUsable(nint p) => p != 0;
        """);

    [Fact]
    public Task UseInALoop_ReportedOnce() => VerifyAsync(
        """
            void Stamp(int count)
            {
                for (int i = 0; i < count; i++)
                {
                    nint entry = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                    if (i > 2)
                    {
                        *(int*){|#0:entry|} = i;
                    }

                    *(int*)entry = 0;
                    ExFreePoolWithTag(entry, "Drv1");
                }
            }

            void Checked(int count)
            {
                int i = 0;
                do
                {
                    nint entry = ExAllocateFromNPagedLookasideList(_list);
                    if (entry == 0)
                    {
                        continue;
                    }

                    *(int*)entry = i;
                    ExFreeToNPagedLookasideList(_list, entry);
                }
                while (++i < count);
            }
        """,
        VerifyCS.Diagnostic(DiagnosticIds.UncheckedAllocation).WithLocation(0).WithArguments("entry", "ExAllocatePoolWithTag", "22", ", on the path where 'i > 2' (line 23) is true"));

    [Fact]
    public Task RaisingAllocations_Silent() => VerifyAsync(
        """
            void Raising(POOL_TYPE variable)
            {
                nint a = ExAllocatePoolWithTag(NonPagedPoolNx | POOL_RAISE_IF_ALLOCATION_FAILURE, 64, "Drv1");
                *(int*)a = 1;
                nint b = ExAllocatePool2(POOL_FLAG_NON_PAGED | POOL_FLAG_RAISE_ON_FAILURE, 64, "Drv1");
                *(int*)b = 1;
                nint c = ExAllocatePoolWithQuotaTag(NonPagedPoolNx, 64, "Drv1");
                *(int*)c = 1;
                nint d = ExAllocatePoolQuotaZero(PagedPool, 64, "Drv1");
                *(int*)d = 1;
                nint e = ExAllocatePoolWithTag(variable, 64, "Drv1");
                *(int*)e = 1;
                _saved = a + b + c + d + e;
            }
        """);

    [Fact]
    public Task ReturnedStoredOrPassed_NotAUse() => VerifyAsync(
        """
            nint Returned() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");

            nint ReturnedLocal()
            {
                nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                return p;
            }

            void Stored(nint[] table, out nint result)
            {
                nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                _saved = p;
                nint q = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                table[0] = q;
                result = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                nint r = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                Keep(r);
                ExFreePoolWithTag(ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1"), "Drv1");
            }

            static void Keep(nint p) { }
        """);

    [Fact]
    public Task DebugAssert_IsNotACheck() => VerifyAsync(
        """
            void Asserted()
            {
                nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                Debug.Assert(p != 0);
                *(int*){|#0:p|} = 1;
                ExFreePoolWithTag(p, "Drv1");
            }
        """,
        Expect(0, "p", "ExAllocatePoolWithTag", "20"));

    [Fact]
    public Task UncheckedOnOnePath_ReportedWithThePath() => VerifyAsync(
        """
            void OnePath(bool retry)
            {
                nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                if (retry)
                {
                    if (p == 0) return;
                }

                *(int*){|#0:p|} = 1;
                ExFreePoolWithTag(p, "Drv1");
            }
        """,
        VerifyCS.Diagnostic(DiagnosticIds.UncheckedAllocation).WithLocation(0).WithArguments("p", "ExAllocatePoolWithTag", "20", ", on the path where 'retry' (line 21) is false"));

    [Fact]
    public Task ConditionalOperandsAndLambdas_Followed() => VerifyAsync(
        """
            void Choose(bool big)
            {
                nint p = big ? ExAllocatePoolWithTag(NonPagedPoolNx, 4096, "Drv1") : ExAllocateFromNPagedLookasideList(_list);
                *(int*){|#0:p|} = 1;
                _saved = p;
                Action work = () =>
                {
                    nint q = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                    *(int*){|#1:q|} = 1;
                    ExFreePoolWithTag(q, "Drv1");
                };
                work();
            }
        """,
        Expect(0, "p", "ExAllocatePoolWithTag", "20"),
        Expect(1, "q", "ExAllocatePoolWithTag", "25"));

    [Fact]
    public Task NoRuntimeReference_Silent()
    {
        var test = new VerifyCS.Test
        {
            ReferenceRuntime = false,
            TestCode = """
                unsafe class Driver
                {
                    static nint ExAllocatePoolWithTag(int type, nuint size, uint tag) => 0;

                    void Write()
                    {
                        nint p = ExAllocatePoolWithTag(0, 64, 1);
                        *(int*)p = 1;
                    }
                }
                """,
        };
        return test.RunAsync();
    }

    private static DiagnosticResult Expect(int location, string pointer, string routine, string line)
        => VerifyCS.Diagnostic(DiagnosticIds.UncheckedAllocation).WithLocation(location).WithArguments(pointer, routine, line, string.Empty);
}
