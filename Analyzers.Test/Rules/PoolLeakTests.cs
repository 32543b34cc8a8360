using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = PoolAnalyzers.Test.Verifiers.CSharpAnalyzerVerifier<PoolAnalyzers.PoolLeakAnalyzer>;

namespace PoolAnalyzers.Test.Rules;

/// <summary>
/// POOL010: a block held only in locals that reaches a return unfreed is reported on its allocation, with
/// the return and the path; every ownership form (free, return, store, out/ref, capture, pass) and the
/// NULL path are silent.
/// </summary>
public sealed class PoolLeakTests
{
    private static Task VerifyAsync(string members, params DiagnosticResult[] expected)
        => VerifyCS.VerifyAnalyzerAsync(Sources.KernelUsings + """
            using System.Collections.Generic;

            unsafe class Driver
            {
                private readonly NPAGED_LOOKASIDE_LIST _list = new();
                private readonly ZONE_HEADER _zone = new();
                private readonly List<nint> _kept = new();
                private nint _saved;

            """ + members + "\n}\n", expected);

    private static DiagnosticResult Leak(int location, string routine, string line, string method, string path)
        => VerifyCS.Diagnostic(DiagnosticIds.PoolLeak).WithLocation(location).WithArguments(routine, line, method, path);

    [Fact]
    public Task ErrorPath_ReportedWithTheReturnAndTheCondition() => VerifyAsync(
        """
            NTSTATUS Start(int length)
            {
                nint buffer = {|#0:ExAllocatePoolWithTag|}(NonPagedPoolNx, 64, "Drv1");
                if (buffer == 0)
                {
                    return NTSTATUS.STATUS_INSUFFICIENT_RESOURCES;
                }

                if (length > 64)
                {
                    return NTSTATUS.STATUS_INVALID_PARAMETER;
                }

                ExFreePoolWithTag(buffer, "Drv1");
                return NTSTATUS.STATUS_SUCCESS;
            }
        """,
        Leak(0, "ExAllocatePoolWithTag", "18", "'Start'", " at line 26, on the path where 'length > 64' (line 24) is true"));

    [Fact]
    public Task DiscardedAndNeverFreed_Reported() => VerifyAsync(
        """
            void Discarded()
            {
                {|#0:ExAllocatePoolWithTag|}(NonPagedPoolNx, 64, "Drv1");
            }

            void NeverFreed()
            {
                nint entry = {|#1:ExAllocateFromNPagedLookasideList|}(_list);
                if (entry != 0)
                {
                    *(int*)entry = 1;
                }
            }

            void Overwritten()
            {
                nint p = {|#2:ExAllocatePool2|}(POOL_FLAG_NON_PAGED, 64, "Drv1");
                p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Drv1");
                ExFreePoolWithTag(p, "Drv1");
            }
        """,
        Leak(0, "ExAllocatePoolWithTag", "18", "'Discarded'", string.Empty),
        Leak(1, "ExAllocateFromNPagedLookasideList", "23", "'NeverFreed'", ", on the path where 'entry != 0' (line 24) is true"),
        Leak(2, "ExAllocatePool2", "32", "'Overwritten'", string.Empty));

    [Fact]
    public Task EveryOwnershipForm_Silent() => VerifyAsync(
        """
            void Freed()
            {
                nint a = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                nint b = ExAllocateFromNPagedLookasideList(_list);
                nint c = ExAllocateFromZone(_zone);
                ExFreePoolWithTag(a, "Drv1");
                ExFreeToNPagedLookasideList(_list, b);
                ExFreeToZone(_zone, c);
            }

            nint Returned() => ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");

            nint ReturnedThroughAlias()
            {
                nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                nint q = p;
                return q;
            }

            void Stored(nint[] table, out nint result, ref nint slot)
            {
                _saved = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                nint a = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                table[0] = a;
                nint b = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                result = b;
                nint c = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                slot = c;
                nint d = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                _kept.Add(d);
                nint e = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                Hand(ref e);
                nint f = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                Action later = () => ExFreePoolWithTag(f, "Drv1");
                later();
                nint g = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                var pair = new Holder { Block = g };
                nint h = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                ((Holder*)h)->Block = h;
                ExInitializeZone(_zone, 64, ExAllocatePoolWithTag(NonPagedPoolNx, 4096, "Drv1"), 4096);
            }

            struct Holder { public nint Block; }

            static void Hand(ref nint p) { }

            void NullPathAndFinally(bool fail)
            {
                nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                if (p == 0)
                {
                    return;
                }

                try
                {
                    if (fail)
                    {
                        return;
                    }

                    *(int*)p = 1;
                }
                finally
                {
                    ExFreePoolWithTag(p, "Drv1");
                }
            }

            void ExceptionsNotFollowed()
            {
                nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                if (p == 0) throw new InvalidOperationException();
                try
                {
                    Work();
                    ExFreePoolWithTag(p, "Drv1");
                }
                catch (InvalidOperationException)
                {
                    return;
                }
            }

            static void Work() { }

            void FreedWhenNotNull()
            {
                nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                if (p != 0)
                {
                    ExFreePoolWithTag(p, "Drv1");
                }
            }

            void CorrelatedCondition(bool needed)
            {
                nint p = 0;
                if (needed)
                {
                    p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                    if (p == 0) return;
                }

                Work();
                if (needed)
                {
                    ExFreePoolWithTag(p, "Drv1");
                }
            }

            void Loop(int count)
            {
                for (int i = 0; i < count; i++)
                {
                    nint block = ExAllocateFromZone(_zone);
                    if (block == 0)
                    {
                        break;
                    }

                    ExFreeToZone(_zone, block);
                }
            }

            void CheckedByHelper()
            {
                nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                if (!IsValid(p)) return;
                ExFreePoolWithTag(p, "Drv1");
            }

            static bool IsValid(nint p) => p != 0;
        """);

    [Fact]
    public Task LoopsKeepingABlock_ReportedWithTheirPath() => VerifyAsync(
        """
            void Fill(int count)
            {
                for (int i = 0; i < count; i++)
                {
                    nint entry = {|#0:ExAllocatePool2|}(POOL_FLAG_NON_PAGED, 64, "Drv1");
                    if (entry == 0)
                    {
                        break;
                    }

                    *(int*)entry = i;
                }
            }

            int Find(int count)
            {
                int i = 0;
                while (i < count)
                {
                    nint entry = {|#1:ExAllocatePool2|}(POOL_FLAG_NON_PAGED, 64, "Drv1");
                    if (entry == 0)
                    {
                        i++;
                        continue;
                    }

                    if (i == count - 1)
                    {
                        return i;
                    }

                    ExFreePoolWithTag(entry, "Drv1");
                    i++;
                }

                return -1;
            }
        """,
        Leak(0, "ExAllocatePool2", "20", "'Fill'", ", on the path where 'i < count' (line 18) is false"),
        Leak(1, "ExAllocatePool2", "35", "'Find'", " at line 44, on the path where 'i == count - 1' (line 42) is true"));

    [Fact]
    public Task LoopsGivingTheBlockBack_Silent() => VerifyAsync(
        """
            void Retry()
            {
                nint p;
                do
                {
                    p = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Drv1");
                }
                while (p == 0);

                ExFreePoolWithTag(p, "Drv1");
            }

            void Batches(int count)
            {
                for (int batch = 0; batch < count; batch++)
                {
                    for (int i = 0; i < 4; i++)
                    {
                        nint entry = ExAllocateFromNPagedLookasideList(_list);
                        if (entry == 0)
                        {
                            continue;
                        }

                        _kept.Add(entry);
                    }
                }
            }

            void Swap(int count)
            {
                nint current = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Drv1");
                while (count-- > 0)
                {
                    if (current != 0)
                    {
                        ExFreePoolWithTag(current, "Drv1");
                    }

                    current = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, "Drv1");
                }

                _saved = current;
            }
        """);

    [Fact]
    public Task LeakInsideLambdaAndLocalFunction_Reported() => VerifyAsync(
        """
            void Outer()
            {
                Action a = () => {|#0:ExAllocatePoolWithTag|}(NonPagedPoolNx, 64, "Drv1");
                a();
                Inner();

                void Inner()
                {
                    nint p = {|#1:ExAllocatePoolWithTag|}(NonPagedPoolNx, 64, "Drv1");
                    if (p == 0) return;
                    *(int*)p = 1;
                }
            }
        """,
        Leak(0, "ExAllocatePoolWithTag", "18", "the lambda at line 18", string.Empty),
        Leak(1, "ExAllocatePoolWithTag", "24", "'Inner'", ", on the path where 'p == 0' (line 25) is false"));
}
