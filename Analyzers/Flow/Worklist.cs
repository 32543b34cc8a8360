namespace PoolAnalyzers.Flow;

/// <summary>
/// The blocks waiting to be transferred, lowest ordinal first. Forward edges only move the cursor on;
/// a back edge moves it back, so a pass over a graph costs one sweep of flags and allocates nothing.
/// </summary>
internal sealed class Worklist(int length)
{
    private readonly bool[] _pending = new bool[length];
    private int _count;
    private int _cursor;

    public void Add(int ordinal)
    {
        if (_pending[ordinal])
        {
            return;
        }

        _pending[ordinal] = true;
        _count++;
        if (ordinal < _cursor)
        {
            _cursor = ordinal;
        }
    }

    public int? TakeLowest()
    {
        if (_count == 0)
        {
            return null;
        }

        while (!_pending[_cursor])
        {
            _cursor++;
        }

        _pending[_cursor] = false;
        _count--;
        return _cursor;
    }
}
