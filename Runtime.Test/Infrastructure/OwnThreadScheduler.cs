using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace PoolAnalyzers.Runtime.Test.Infrastructure;

/// <summary>
/// Runs tasks one at a time on a thread no other code uses, so a test can read that thread's state
/// after a flow gave it back: a thread-pool thread may already run another test's work by then.
/// The thread gives each task back as the pool does: the task's execution context is left when it ends.
/// </summary>
internal sealed class OwnThreadScheduler : TaskScheduler, IDisposable
{
    private readonly BlockingCollection<Task> _queue = new();
    private readonly Thread _thread;

    public OwnThreadScheduler()
    {
        // UnsafeStart: Start would run the thread in the creator's execution context, so the machine
        // the test entered would stay current on it between tasks and no flow would ever leave it.
        _thread = new Thread(Run) { IsBackground = true, Name = "OwnThreadScheduler" };
        _thread.UnsafeStart();
    }

    public override int MaximumConcurrencyLevel => 1;

    public void Dispose()
    {
        _queue.CompleteAdding();
        Patience.Join(_thread, "the scheduler's thread to end");
        _queue.Dispose();
    }

    protected override void QueueTask(Task task) => _queue.Add(task);

    // Inline execution would run the task on the caller's thread, which is not the thread under test.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    private void Run()
    {
        foreach (Task task in _queue.GetConsumingEnumerable())
        {
            TryExecuteTask(task);
        }
    }
}
