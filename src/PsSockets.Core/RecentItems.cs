using System.Collections.Generic;

namespace PsSockets;

/// <summary>The newest <see cref="Limit"/> items added, oldest first: a log that stays bounded however long a server runs.</summary>
public sealed class RecentItems<T>
{
    private readonly Queue<T> _items = new();

    public RecentItems(int limit) => Limit = limit;

    public int Limit { get; }

    public void Add(T item)
    {
        lock (_items)
        {
            _items.Enqueue(item);
            if (_items.Count > Limit)
            {
                _items.Dequeue();
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
