using System.Collections.Generic;

namespace PsSockets;

/// <summary>The newest <see cref="Limit"/> items added, oldest first: a log that stays bounded however long a server runs.</summary>
public sealed class RecentItems<T>
{
    private readonly Queue<T> _items = new();
    private long _dropped;

    public RecentItems(int limit) => Limit = limit;

    public int Limit { get; }

    /// <summary>How many older items were let go to keep the newest.</summary>
    public long Dropped
    {
        get
        {
            lock (_items)
            {
                return _dropped;
            }
        }
    }

    public void Add(T item)
    {
        lock (_items)
        {
            _items.Enqueue(item);
            if (_items.Count > Limit)
            {
                _items.Dequeue();
                _dropped++;
            }
        }
    }

    public T[] ToArray()
    {
        lock (_items)
        {
            return _items.ToArray();
        }
    }
}
