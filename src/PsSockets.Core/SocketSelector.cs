using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net.Sockets;
using System.Threading;
using Events = PsSockets.NativePoll.Events;

namespace PsSockets;

/// <summary>What select() found: the sockets ready to read, to write, and those in error.</summary>
public sealed class SelectResult
{
    internal SelectResult(PsSocket[] read, PsSocket[] write, PsSocket[] error)
    {
        Read = read;
        Write = write;
        Error = error;
    }

    public PsSocket[] Read { get; }
    public PsSocket[] Write { get; }

    /// <summary>
    /// Closed and failed sockets from any list (a failed one's LastError says why), and those of the error
    /// list with an exceptional condition (urgent data, a hang-up).
    /// </summary>
    public PsSocket[] Error { get; }

    /// <summary>True when no socket became ready before the timeout.</summary>
    public bool TimedOut => Read.Length == 0 && Write.Length == 0 && Error.Length == 0;
}

/// <summary>
/// select() over poll(2): as many sockets as the process may open, none ignored past 1,024. A socket
/// with bytes already buffered is readable at once (the OS cannot know of them). A closed socket, or
/// one whose connect failed or whose peer reset it, lands in the error set instead of failing the
/// call; a non-blocking connect that ended is finished here. Each socket is reported once per set,
/// in input order.
/// </summary>
public static class SocketSelector
{
    // The OS wait is cut into slices; a stop (Ctrl+C) wakes it at once (StopSignal), or where it cannot, within a slice.
    private const int SliceMilliseconds = 100;

    public static SelectResult Select(IReadOnlyList<PsSocket> read, IReadOnlyList<PsSocket> write,
        IReadOnlyList<PsSocket> error, TimeSpan? timeout, CancellationToken token)
    {
        long started = SocketCallLog.Start();
        var result = Wait(read, write, error, timeout, token);
        if (SocketCallLog.Current is { } log)
        {
            string call = $"select(read {Ids(read)}, write {Ids(write)}, error {Ids(error)}, {(timeout is { } t ? Deadline.Describe(t) : "no timeout")})";
            log.Add(result.TimedOut
                ? $"{call} -> 0 ready: timed out after {SocketCallLog.Took(started)}"
                : $"{call} -> read {Ids(result.Read)}, write {Ids(result.Write)}, error {Ids(result.Error)} in {SocketCallLog.Took(started)}");
        }
        return result;
    }

    /// <summary>"[#3, #4]"; a long list shows its first ten and how many there are.</summary>
    private static string Ids(IReadOnlyList<PsSocket> sockets)
    {
        const int Shown = 10;
        var ids = new List<string>(Math.Min(sockets.Count, Shown));
        for (int i = 0; i < sockets.Count && i < Shown; i++)
        {
            ids.Add($"#{sockets[i].Id}");
        }
        return sockets.Count > Shown ? $"[{string.Join(", ", ids)}, ... {sockets.Count} in all]" : $"[{string.Join(", ", ids)}]";
    }

    private static SelectResult Wait(IReadOnlyList<PsSocket> read, IReadOnlyList<PsSocket> write,
        IReadOnlyList<PsSocket> error, TimeSpan? timeout, CancellationToken token)
    {
        var watched = new WatchList(read, write, error);
        long deadline = timeout is { } t ? Deadline.TimestampAfter(t) : long.MaxValue;
        using var stop = StopSignal.Start(token);
        bool signalled = false;
        while (true)
        {
            token.ThrowIfCancellationRequested();
            int wait = watched.ReadyWithoutWaiting ? 0 : Milliseconds(deadline);
            // Another caller's stop woke the last poll: leave the signal out of this one rather than wake again.
            // Every event poll(2) returns maps to a set (see WatchList.Result), so one is enough to end the wait.
            if (watched.Poll(wait, signalled ? -1 : stop.Descriptor, out signalled) > 0 || watched.ReadyWithoutWaiting || Stopwatch.GetTimestamp() >= deadline)
            {
                return watched.Result();
            }
        }
    }

    /// <summary>What is left until <paramref name="deadline"/>, rounded up to whole milliseconds, at most one slice.</summary>
    private static int Milliseconds(long deadline)
    {
        if (deadline == long.MaxValue)
        {
            return SliceMilliseconds;
        }
        long left = deadline - Stopwatch.GetTimestamp();
        return left <= 0 ? 0 : (int)Math.Min(Math.Ceiling(left * 1000.0 / Stopwatch.Frequency), SliceMilliseconds);
    }

    /// <summary>
    /// The sockets of the three lists, each once (a socket in several lists is one poll entry asking for
    /// all of them), and for each list the order in which its sockets came.
    /// </summary>
    private sealed class WatchList
    {
        private const byte WantRead = 1, WantWrite = 2, WantError = 4;
        private const byte ReadyRead = 1, ReadyWrite = 2, InError = 4;

        private readonly PsSocket[] _sockets;
        private readonly byte[] _wants;
        private readonly NativePoll.Entry[] _entries;
        private readonly int _count;
        private readonly List<int> _readOrder, _writeOrder, _errorOrder;

        public WatchList(IReadOnlyList<PsSocket> read, IReadOnlyList<PsSocket> write, IReadOnlyList<PsSocket> error)
        {
            int total = read.Count + write.Count + error.Count;
            _sockets = new PsSocket[total];
            _wants = new byte[total];
            var seen = NeedsLookup(read, write, error) ? new Dictionary<PsSocket, int>(total, ReferenceEqualityComparer.Instance) : null;
            _readOrder = Add(read, WantRead, seen, ref _count);
            _writeOrder = Add(write, WantWrite, seen, ref _count);
            _errorOrder = Add(error, WantError, seen, ref _count);
            _entries = new NativePoll.Entry[_count + 1]; // the last one for the stop signal
            for (int i = 0; i < _count; i++)
            {
                var socket = _sockets[i];
                bool gone = socket.IsClosed || socket.HasFailed;
                ReadyWithoutWaiting |= gone || ((_wants[i] & WantRead) != 0 && socket.HasReadableBuffer);
                _entries[i] = new NativePoll.Entry
                {
                    Fd = gone ? -1 : Descriptor(socket.Socket),
                    Requested = ((_wants[i] & WantRead) != 0 ? Events.In : 0) | ((_wants[i] & WantWrite) != 0 ? Events.Out : 0)
                        | ((_wants[i] & WantError) != 0 ? Events.Pri : 0),
                };
            }
        }

        /// <summary>True when the answer is known without the OS: a socket is closed or failed, or has a readable buffer.</summary>
        public bool ReadyWithoutWaiting { get; }

        /// <summary>One OS wait, woken too by the stop signal (a descriptor, or -1); the number of sockets with events.</summary>
        public int Poll(int milliseconds, int stopSignal, out bool signalled)
        {
            signalled = false;
            if (!NativePoll.Available)
            {
                return SelectFallback(milliseconds);
            }
            _entries[_count] = new NativePoll.Entry { Fd = stopSignal, Requested = Events.In };
            int ready = NativePoll.Wait(_entries, _count + 1, milliseconds);
            signalled = _entries[_count].Returned != Events.None;
            return signalled ? ready - 1 : ready;
        }

        /// <summary>
        /// The sets, from the events poll(2) returned. Every event lands in some set, so a wait that returned
        /// events never yields an empty result: POLLERR and POLLHUP count for each list, as select(2) counts them.
        /// </summary>
        public SelectResult Result()
        {
            var state = new byte[_count];
            for (int i = 0; i < _count; i++)
            {
                state[i] = Classify(_sockets[i], _wants[i], _entries[i].Returned);
            }
            var inError = new List<PsSocket>();
            for (int i = 0; i < _count; i++)
            {
                if ((state[i] & InError) != 0)
                {
                    inError.Add(_sockets[i]);
                }
            }
            return new SelectResult(Pick(_readOrder, state, ReadyRead), Pick(_writeOrder, state, ReadyWrite), inError.ToArray());
        }

        private static byte Classify(PsSocket socket, byte wants, Events events)
        {
            if (socket.IsClosed || socket.HasFailed || (events & Events.Nval) != 0)
            {
                return InError;
            }
            if (socket.IsConnecting && (events & (Events.Out | Events.Err | Events.Hup)) != 0)
            {
                socket.CompleteConnect();
                if (socket.HasFailed)
                {
                    return InError;
                }
            }
            else if ((events & Events.Err) != 0 && socket.TakeError())
            {
                return InError;
            }
            byte state = 0;
            if ((wants & WantRead) != 0 && ((events & (Events.In | Events.Hup | Events.Err)) != 0 || socket.HasReadableBuffer))
            {
                state |= ReadyRead;
            }
            if ((wants & WantWrite) != 0 && (events & (Events.Out | Events.Hup | Events.Err)) != 0)
            {
                state |= ReadyWrite;
            }
            if ((wants & WantError) != 0 && (events & (Events.Pri | Events.Hup | Events.Err)) != 0)
            {
                state |= InError;
            }
            return socket.IsClosed ? InError : state;
        }

        private PsSocket[] Pick(List<int> order, byte[] state, byte ready)
        {
            var picked = new List<PsSocket>();
            foreach (int i in order)
            {
                if ((state[i] & ready) != 0 && (state[i] & InError) == 0)
                {
                    picked.Add(_sockets[i]);
                }
            }
            return picked.ToArray();
        }

        /// <summary>Adds one list's sockets, each once; returns their entries in the list's order.</summary>
        private List<int> Add(IReadOnlyList<PsSocket> list, byte want, Dictionary<PsSocket, int>? seen, ref int count)
        {
            var order = new List<int>(list.Count);
            foreach (var socket in list)
            {
                int i;
                if (seen is null)
                {
                    i = count++;
                    _sockets[i] = socket;
                }
                else if (!seen.TryGetValue(socket, out i))
                {
                    i = count++;
                    _sockets[i] = socket;
                    seen.Add(socket, i);
                }
                if ((_wants[i] & want) == 0)
                {
                    _wants[i] |= want;
                    order.Add(i);
                }
            }
            return order;
        }

        /// <summary>
        /// Whether a socket may come twice. Ids only grow, so one list in creation order (the usual case: a
        /// loop's list of connections, Get-Socket) needs no lookup to be known free of repeats.
        /// </summary>
        private static bool NeedsLookup(IReadOnlyList<PsSocket> read, IReadOnlyList<PsSocket> write, IReadOnlyList<PsSocket> error)
        {
            int lists = (read.Count > 0 ? 1 : 0) + (write.Count > 0 ? 1 : 0) + (error.Count > 0 ? 1 : 0);
            if (lists > 1)
            {
                return true;
            }
            var only = read.Count > 0 ? read : write.Count > 0 ? write : error;
            for (int i = 1; i < only.Count; i++)
            {
                if (only[i].Id <= only[i - 1].Id)
                {
                    return true;
                }
            }
            return false;
        }

        private static int Descriptor(Socket socket)
        {
            try
            {
                return (int)socket.SafeHandle.DangerousGetHandle();
            }
            catch (ObjectDisposedException)
            {
                return -1;
            }
        }

        /// <summary>Where libc has no poll(2) here (Windows): Socket.Select, its answers turned into poll events.</summary>
        private int SelectFallback(int milliseconds)
        {
            var read = new List<Socket>();
            var write = new List<Socket>();
            var error = new List<Socket>();
            for (int i = 0; i < _count; i++)
            {
                _entries[i].Returned = Events.None;
                if (_entries[i].Fd < 0)
                {
                    continue;
                }
                var socket = _sockets[i].Socket;
                if ((_entries[i].Requested & Events.In) != 0)
                {
                    read.Add(socket);
                }
                if ((_entries[i].Requested & Events.Out) != 0)
                {
                    write.Add(socket);
                }
                error.Add(socket); // Windows reports a failed connect in the error set only
            }
            if (error.Count == 0)
            {
                Thread.Sleep(milliseconds);
                return 0;
            }
            try
            {
                Socket.Select(read.Count > 0 ? read : null, write.Count > 0 ? write : null, error, milliseconds * 1000);
            }
            catch (ObjectDisposedException)
            {
                return 1; // closed by another thread meanwhile: Result reports it
            }
            var events = new Dictionary<Socket, Events>(ReferenceEqualityComparer.Instance);
            foreach (var (list, flag) in new[] { (read, Events.In), (write, Events.Out), (error, Events.Err) })
            {
                foreach (var socket in list)
                {
                    events[socket] = events.GetValueOrDefault(socket) | flag;
                }
            }
            for (int i = 0; i < _count; i++)
            {
                _entries[i].Returned = events.GetValueOrDefault(_sockets[i].Socket);
            }
            return events.Count;
        }
    }
}
