using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyCS = PoolAnalyzers.Test.Verifiers.CSharpAnalyzerVerifier<PoolAnalyzers.MismatchedFreeAnalyzer>;

namespace PoolAnalyzers.Test.Rules;

/// <summary>
/// POOL011: other tag (through locals and private fields), other allocator, other list or zone, freed twice
/// on one path; reported on the free call. Matching frees, unknown tags and correlated paths are silent.
/// </summary>
public sealed class MismatchedFreeTests
{
    private static Task VerifyAsync(string members, params DiagnosticResult[] expected)
        => VerifyCS.VerifyAnalyzerAsync(Sources.KernelUsings + """
            using System.Runtime.InteropServices;

            unsafe class Driver
            {
                private const string BufferTag = "Buf1";
                private readonly NPAGED_LOOKASIDE_LIST _requests = new();
                private readonly NPAGED_LOOKASIDE_LIST _replies = new();
                private readonly PAGED_LOOKASIDE_LIST _names = new();
                private readonly ZONE_HEADER _zone = new();
                private readonly ZONE_HEADER _other = new();

            """ + members + "\n}\n", expected);

    private static DiagnosticResult Free(int location, string routine, string problem)
        => VerifyCS.Diagnostic(DiagnosticIds.MismatchedFree).WithLocation(location).WithArguments(routine, problem);

    [Fact]
    public Task OtherTag_Reported() => VerifyAsync(
        """
            void Tags()
            {
                nint a = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Mine");
                {|#0:ExFreePoolWithTag|}(a, "Your");
                nint b = ExAllocatePool2(POOL_FLAG_NON_PAGED, 64, BufferTag);
                nint alias = b;
                {|#1:ExFreePool2|}(alias, "Buf2", null, 0);
                nint c = ExAllocatePool(NonPagedPoolNx, 64);
                {|#2:ExFreePoolWithTag|}(c, 0x31767244u);
            }
        """,
        Free(0, "ExFreePoolWithTag", "frees a block allocated by 'ExAllocatePoolWithTag' at line 20 with tag \"Mine\" under tag \"Your\" (BAD_POOL_CALLER 0x0A)"),
        Free(1, "ExFreePool2", "frees a block allocated by 'ExAllocatePool2' at line 22 with tag \"Buf1\" under tag \"Buf2\" (BAD_POOL_CALLER 0x0A)"),
        Free(2, "ExFreePoolWithTag", "frees a block allocated by 'ExAllocatePool' at line 25 with tag \"None\" under tag \"Drv1\" (BAD_POOL_CALLER 0x0A)"));

    [Fact]
    public Task FreesInLoops_Reported() => VerifyAsync(
        """
            void Recycle(int count)
            {
                int i = 0;
                while (i++ < count)
                {
                    nint entry = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                    if (entry == 0)
                    {
                        continue;
                    }

                    {|#0:ExFreePoolWithTag|}(entry, "Drv2");
                }
            }

            void Twice(int count)
            {
                for (int i = 0; i < count; i++)
                {
                    nint entry = ExAllocateFromNPagedLookasideList(_requests);
                    if (entry == 0)
                    {
                        break;
                    }

                    ExFreeToNPagedLookasideList(_requests, entry);
                    if (i == 3)
                    {
                        {|#1:ExFreeToNPagedLookasideList|}(_requests, entry);
                    }
                }
            }

            void Replies(int count)
            {
                do
                {
                    nint entry = ExAllocateFromNPagedLookasideList(_requests);
                    if (entry != 0)
                    {
                        {|#2:ExFreeToNPagedLookasideList|}(_replies, entry);
                    }
                }
                while (--count > 0);
            }
        """,
        Free(0, "ExFreePoolWithTag", "frees a block allocated by 'ExAllocatePoolWithTag' at line 23 with tag \"Drv1\" under tag \"Drv2\" (BAD_POOL_CALLER 0x0A)"),
        Free(1, "ExFreeToNPagedLookasideList", "frees 'entry' a second time: on this path it was already freed at line 43 (BAD_POOL_CALLER 0x07, Driver Verifier 0xC4/0x13)"),
        Free(2, "ExFreeToNPagedLookasideList", "returns an entry of the nonpaged lookaside list '_requests' (allocated by 'ExAllocateFromNPagedLookasideList' at line 55) to '_replies': give it back with ExFreeToNPagedLookasideList on the list it came from"));

    [Fact]
    public Task FieldWithOneTag_Reported() => VerifyAsync(
        """
            private nint _buffer;
            private nint _mixed;

            void Start(bool big)
            {
                _buffer = ExAllocatePoolWithTag(NonPagedPoolNx, 64, BufferTag);
                _mixed = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Mix1");
                if (big) _mixed = ExAllocatePoolWithTag(NonPagedPoolNx, 4096, "Mix2");
            }

            void Stop()
            {
                {|#0:ExFreePoolWithTag|}(_buffer, "Buf2");
                _buffer = 0;
                ExFreePoolWithTag(_mixed, "Mix1");
            }
        """,
        Free(0, "ExFreePoolWithTag", "frees '_buffer', whose every allocation uses tag \"Buf1\", under tag \"Buf2\" (BAD_POOL_CALLER 0x0A)"));

    [Fact]
    public Task OtherAllocator_Reported() => VerifyAsync(
        """
            void Allocators()
            {
                nint a = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                if (a == 0) return;
                NativeMemory.{|#0:Free|}((void*)a);
                nint b = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                Marshal.{|#1:FreeHGlobal|}(b);
                nint c = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                {|#2:ExFreeToZone|}(_zone, c);
                nint d = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                {|#3:ExFreeToNPagedLookasideList|}(_requests, d);
                nint e = ExAllocateFromNPagedLookasideList(_requests);
                {|#4:ExFreePool|}(e);
                nint f = ExAllocateFromZone(_zone);
                {|#5:ExFreePoolWithTag|}(f, "Drv1");
                nint g = ExAllocateFromNPagedLookasideList(_requests);
                {|#6:ExFreeToNPagedLookasideList|}(_replies, g);
                nint h = ExAllocateFromPagedLookasideList(_names);
                {|#7:ExFreeToNPagedLookasideList|}(_requests, h);
                nint i = ExAllocateFromZone(_zone);
                {|#8:ExFreeToZone|}(_other, i);
            }
        """,
        Free(0, "NativeMemory.Free", "releases a block allocated by 'ExAllocatePoolWithTag' at line 20, which is pool memory: free it with ExFreePoolWithTag, ExFreePool2 or ExFreePool"),
        Free(1, "Marshal.FreeHGlobal", "releases a block allocated by 'ExAllocatePoolWithTag' at line 23, which is pool memory: free it with ExFreePoolWithTag, ExFreePool2 or ExFreePool"),
        Free(2, "ExFreeToZone", "releases a block allocated by 'ExAllocatePoolWithTag' at line 25, which is pool memory: free it with ExFreePoolWithTag, ExFreePool2 or ExFreePool"),
        Free(3, "ExFreeToNPagedLookasideList", "releases a block allocated by 'ExAllocatePoolWithTag' at line 27, which is pool memory: free it with ExFreePoolWithTag, ExFreePool2 or ExFreePool"),
        Free(4, "ExFreePool", "releases a block allocated by 'ExAllocateFromNPagedLookasideList' at line 29, which is an entry of the nonpaged lookaside list '_requests': give it back with ExFreeToNPagedLookasideList on the list it came from"),
        Free(5, "ExFreePoolWithTag", "releases a block allocated by 'ExAllocateFromZone' at line 31, which is a block of the zone '_zone': give it back with ExFreeToZone or ExInterlockedFreeToZone on the zone it came from"),
        Free(6, "ExFreeToNPagedLookasideList", "returns an entry of the nonpaged lookaside list '_requests' (allocated by 'ExAllocateFromNPagedLookasideList' at line 33) to '_replies': give it back with ExFreeToNPagedLookasideList on the list it came from"),
        Free(7, "ExFreeToNPagedLookasideList", "releases a block allocated by 'ExAllocateFromPagedLookasideList' at line 35, which is an entry of the paged lookaside list '_names': give it back with ExFreeToPagedLookasideList on the list it came from"),
        Free(8, "ExFreeToZone", "returns a block of the zone '_zone' (allocated by 'ExAllocateFromZone' at line 37) to '_other': give it back with ExFreeToZone or ExInterlockedFreeToZone on the zone it came from"));

    [Fact]
    public Task DoubleFree_Reported() => VerifyAsync(
        """
            void Twice(bool early)
            {
                nint p = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                if (p == 0) return;
                ExFreePoolWithTag(p, "Drv1");
                {|#0:ExFreePoolWithTag|}(p, "Drv1");

                nint q = ExAllocateFromNPagedLookasideList(_requests);
                if (early)
                {
                    ExFreeToNPagedLookasideList(_requests, q);
                }
                else
                {
                    ExFreeToNPagedLookasideList(_requests, q);
                }

                {|#1:ExFreeToNPagedLookasideList|}(_requests, q);
            }
        """,
        Free(0, "ExFreePoolWithTag", "frees 'p' a second time: on this path it was already freed at line 22 (BAD_POOL_CALLER 0x07, Driver Verifier 0xC4/0x13)"),
        Free(1, "ExFreeToNPagedLookasideList", "frees 'q' a second time: on this path it was already freed at line 28 (BAD_POOL_CALLER 0x07, Driver Verifier 0xC4/0x13)"));

    [Fact]
    public Task MatchingAndUnknown_Silent() => VerifyAsync(
        """
            private nint _shared;

            void Matching(PoolTag unknown, bool legacy, nint parameter)
            {
                nint a = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                ExFreePoolWithTag(a, "Drv1");
                nint b = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                ExFreePool(b);
                nint c = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                ExFreePoolWithTag(c, unknown);
                nint d = ExAllocatePoolWithTag(NonPagedPoolNx, 64, unknown);
                ExFreePoolWithTag(d, "Drv2");
                nint e = ExAllocatePool(NonPagedPoolNx, 64);
                ExFreePoolWithTag(e, "None");
                nint f = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                ExFreePoolWithTag(f, 0u);
                nint g = ExAllocateFromZone(_zone);
                ExInterlockedFreeToZone(_zone, g, new KSPIN_LOCK());
                nint h = legacy ? ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1") : ExAllocateFromNPagedLookasideList(_requests);
                if (legacy)
                {
                    ExFreePoolWithTag(h, "Drv1");
                }
                else
                {
                    ExFreeToNPagedLookasideList(_requests, h);
                }

                nint i = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                if (legacy)
                {
                    ExFreePoolWithTag(i, "Drv1");
                }

                if (!legacy)
                {
                    ExFreePoolWithTag(i, "Drv1");
                }

                nint j = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                ExFreePoolWithTag(j, "Drv1");
                j = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                ExFreePoolWithTag(j, "Drv1");

                for (int n = 0; n < 3; n++)
                {
                    nint k = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Drv1");
                    ExFreePoolWithTag(k, "Drv1");
                }

                ExFreePool(parameter);
                ExFreePool(parameter + 0);
                _shared = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Shr1");
                ExFreePoolWithTag(_shared, "Shr2");
            }

            void Elsewhere(nint p) => _shared = p;
        """);
}
