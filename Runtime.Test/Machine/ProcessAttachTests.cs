using System.Threading;
using System.Threading.Tasks;
using Xunit;
using static PoolAnalyzers.Runtime.Ex;
using static PoolAnalyzers.Runtime.POOL_TYPE;

namespace PoolAnalyzers.Runtime.Test.Machine;

// Attachment is ambient per async flow, like the machine itself: it survives an await that resumes
// on another thread, and ending the scope there ends it everywhere.
public sealed class ProcessAttachTests
{
    [Fact]
    public async Task Attachment_FlowsAcrossAnAwait_AndEndsWithTheScope()
    {
        using var machine = new KernelSystem();
        using KernelSystem.Scope scope = machine.Enter();
        KernelProcess process = machine.CreateProcess("async.exe", 1 << 20, 1 << 20);

        using (process.Attach())
        {
            await Task.Yield();
            Assert.Same(process, machine.CurrentProcess);
            nint p = ExAllocatePoolWithQuotaTag(PagedPool, 48, "Asyn");
            Assert.Equal(64UL, process.PagedPoolQuotaUsage);
            await Task.Run(() => Assert.Same(process, machine.CurrentProcess));
            ExFreePool(p);
        }

        Assert.Same(machine.SystemProcess, machine.CurrentProcess);
        Assert.Equal(0UL, process.PagedPoolQuotaUsage);
    }

    [Fact]
    public void ScopeDisposedOnAnotherThread_LeavesNoThreadAttached()
    {
        using var machine = new KernelSystem();
        using KernelSystem.Scope scope = machine.Enter();
        KernelProcess process = machine.CreateProcess("hop.exe", 1 << 20, 1 << 20);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        KernelProcess? originalAfterAwait = null;
        KernelProcess? originalAtEnd = null;
        Task? flow = null;
        System.Exception? failure = null;

        var original = new Thread(() =>
        {
            try
            {
                flow = AttachAndAwait(process, resume.Task);

                // The async method is suspended at its await; this thread is back in its caller's flow.
                originalAfterAwait = machine.CurrentProcess;
                resume.SetResult();
                flow.GetAwaiter().GetResult();
                originalAtEnd = machine.CurrentProcess;
            }
            catch (System.Exception error)
            {
                // Rethrown below: an exception escaping a raw thread would end the test run.
                failure = error;
            }
        });
        original.Start();
        original.Join();

        Assert.Null(failure);
        Assert.Same(machine.SystemProcess, originalAfterAwait);
        Assert.Same(machine.SystemProcess, originalAtEnd);
        Assert.True(flow!.IsCompletedSuccessfully);
        Assert.Same(machine.SystemProcess, machine.CurrentProcess);
    }

    [Fact]
    public async Task NestedScopes_RestoreTheOuterAttachmentAcrossAwaits()
    {
        using var machine = new KernelSystem();
        using KernelSystem.Scope scope = machine.Enter();
        KernelProcess outer = machine.CreateProcess("outer.exe", 1 << 20, 1 << 20);
        KernelProcess inner = machine.CreateProcess("inner.exe", 1 << 20, 1 << 20);

        using (outer.Attach())
        {
            using (inner.Attach())
            {
                await Task.Yield();
                Assert.Same(inner, machine.CurrentProcess);
            }

            Assert.Same(outer, machine.CurrentProcess);
            await Task.Yield();
            Assert.Same(outer, machine.CurrentProcess);
        }

        Assert.Same(machine.SystemProcess, machine.CurrentProcess);
    }

    private static async Task AttachAndAwait(KernelProcess process, Task resume)
    {
        using (process.Attach())
        {
            Assert.Same(process, process.System.CurrentProcess);
            await resume;

            // Resumed on a pool thread: still attached, and the scope ends here, not on the original thread.
            Assert.Same(process, process.System.CurrentProcess);
        }
    }
}
