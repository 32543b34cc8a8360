using System;
using PoolAnalyzers.Runtime.Test.Infrastructure;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Verifier;

public sealed class SystematicLowResourcesTests
{
    private static TestMachine Systematic(params PoolTag[] tags)
        => TestMachine.WithVerifier(new VerifierOptions { SystematicLowResources = true, LowResourcesTags = tags.Length == 0 ? null : tags });

    [Fact]
    public void EachCallSite_FailsOnItsFirstAllocationOnly()
    {
        using TestMachine machine = Systematic();
        nint[] first = new nint[3];
        nint[] second = new nint[3];
        for (int i = 0; i < first.Length; i++)
        {
            first[i] = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "SysA");
            second[i] = ExAllocatePoolWithTag(PagedPool, 128, "SysB");
        }

        Assert.Equal(0, first[0]);
        Assert.Equal(0, second[0]);
        Assert.All(first[1..], p => Assert.NotEqual(0, p));
        Assert.All(second[1..], p => Assert.NotEqual(0, p));
        Array.ForEach(first[1..], ExFreePool);
        Array.ForEach(second[1..], ExFreePool);
    }

    [Fact]
    public void FirstFailure_RaisesWhenTheTypeAsksForIt()
    {
        using TestMachine machine = Systematic();
        for (int attempt = 0; attempt < 2; attempt++)
        {
            if (attempt == 0)
            {
                NtStatusException raised = Assert.Throws<NtStatusException>(() => Allocate(POOL_RAISE_IF_ALLOCATION_FAILURE));
                Assert.Equal(NTSTATUS.STATUS_INSUFFICIENT_RESOURCES, raised.Status);
            }
            else
            {
                ExFreePool(Allocate(POOL_RAISE_IF_ALLOCATION_FAILURE));
            }
        }
    }

    [Fact]
    public void LookasideMiss_CountsAtTheDriversLookasideCall()
    {
        using TestMachine machine = Systematic();
        var list = new NPAGED_LOOKASIDE_LIST();
        ExInitializeNPagedLookasideList(list, null, null, 0, 64, "SysL", 0);

        // One call site, reached twice: its first miss fails, the second is served.
        nint[] entries = new nint[2];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = ExAllocateFromNPagedLookasideList(list);
        }

        Assert.Equal(0, entries[0]);
        nint served = entries[1];
        Assert.NotEqual(0, served);
        Assert.Equal(2u, list.AllocateMisses);
        ExFreeToNPagedLookasideList(list, served);
        ExDeleteNPagedLookasideList(list);
    }

    [Fact]
    public void TagFilter_LeavesOtherTagsAlone()
    {
        using TestMachine machine = Systematic("Only");
        nint other = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Othr");
        nint only = ExAllocatePoolWithTag(NonPagedPoolNx, 64, "Only");

        Assert.NotEqual(0, other);
        Assert.Equal(0, only);
        ExFreePool(other);
    }

    private static nint Allocate(POOL_TYPE modifiers) => ExAllocatePoolWithTag(NonPagedPoolNx | modifiers, 64, "SysR");
}
