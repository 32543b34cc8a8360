using System;

namespace PoolAnalyzers.Runtime;

/// <summary>
/// The set timers of one machine, earliest due first (a binary min-heap; each timer knows its index,
/// so cancelling or resetting one is O(log n)). Guarded by the clock interrupt's lock.
/// </summary>
internal sealed class TimerHeap
{
    private KTIMER[] _items = new KTIMER[8];
    private long _setCount;

    public int Count { get; private set; }

    public KTIMER? Earliest => Count == 0 ? null : _items[0];

    public void Add(KTIMER timer)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        timer.SetOrder = ++_setCount;
        Place(timer, Count++);
        SiftUp(timer.HeapIndex);
    }

    public void Remove(KTIMER timer)
    {
        int index = timer.HeapIndex;
        timer.HeapIndex = -1;
        KTIMER last = _items[--Count];
        _items[Count] = null!;
        if (index == Count)
        {
            return;
        }

        Place(last, index);
        SiftDown(index);
        SiftUp(last.HeapIndex);
    }

    /// <summary>Unsets every timer (the machine is going away).</summary>
    public void Clear()
    {
        for (int i = 0; i < Count; i++)
        {
            _items[i].HeapIndex = -1;
            _items[i] = null!;
        }

        Count = 0;
    }

    private static bool Before(KTIMER a, KTIMER b) => a.DueTime < b.DueTime || (a.DueTime == b.DueTime && a.SetOrder < b.SetOrder);

    private void Place(KTIMER timer, int index)
    {
        _items[index] = timer;
        timer.HeapIndex = index;
    }

    private void SiftUp(int index)
    {
        KTIMER timer = _items[index];
        while (index > 0)
        {
            int parent = (index - 1) / 2;
            if (!Before(timer, _items[parent]))
            {
                break;
            }

            Place(_items[parent], index);
            index = parent;
        }

        Place(timer, index);
    }

    private void SiftDown(int index)
    {
        KTIMER timer = _items[index];
        while (true)
        {
            int child = (2 * index) + 1;
            if (child >= Count)
            {
                break;
            }

            if (child + 1 < Count && Before(_items[child + 1], _items[child]))
            {
                child++;
            }

            if (!Before(_items[child], timer))
            {
                break;
            }

            Place(_items[child], index);
            index = child;
        }

        Place(timer, index);
    }
}
