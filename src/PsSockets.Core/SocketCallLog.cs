using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace PsSockets;

/// <summary>
/// The socket calls an operation made, one line each, in the terms the seeds teach: <c>socket(AF_INET, SOCK_STREAM) -> #3</c>,
/// <c>connect(#3, 127.0.0.1:8080) ok in 0.4 ms</c>, <c>accept(#3) -> #4 from 127.0.0.1:5555 in 12 ms</c>. Sizes and results only,
/// never payload bytes. Whoever wants the lines opens a log on its thread around the operation (<see cref="Open"/>); the core adds
/// to <see cref="Current"/>, which is null, and costs one check, when nobody asked. Operations on other threads (a server's accept
/// loop) have no log: their lines would have no one to read them.
/// </summary>
public sealed class SocketCallLog
{
    [ThreadStatic]
    private static SocketCallLog? t_current;

    private const char Mark = '\u0001';
    private readonly List<string> _lines = [];
    private readonly List<string> _names = [];
    private readonly Dictionary<Socket, string> _born = new(ReferenceEqualityComparer.Instance);

    /// <summary>The log of this thread's operation, or null when nobody wants its calls.</summary>
    public static SocketCallLog? Current => t_current;

    /// <summary>
    /// Makes <paramref name="log"/> the thread's log until the scope ends, when the previous one comes back. A null log is opened
    /// too: a command nested in another's output (a pipeline's next cmdlet) must not tell its calls as the other's.
    /// </summary>
    public static Scope Open(SocketCallLog? log)
    {
        var scope = new Scope(t_current);
        t_current = log;
        return scope;
    }

    public readonly struct Scope : IDisposable
    {
        private readonly SocketCallLog? _previous;

        internal Scope(SocketCallLog? previous) => _previous = previous;

        public void Dispose() => t_current = _previous;
    }

    public void Add(string line)
    {
        lock (_lines)
        {
            _lines.Add(line);
        }
    }

    /// <summary>The lines so far, with the names of sockets filled in; the log is empty after.</summary>
    public IReadOnlyList<string> Take()
    {
        lock (_lines)
        {
            if (_lines.Count == 0)
            {
                return [];
            }
            var lines = _lines.ConvertAll(Resolve);
            _lines.Clear();
            return lines;
        }
    }

    /// <summary>
    /// socket(): tells of the new OS socket and returns how later lines name it (<see cref="Of"/>): its PsSocket id once it has
    /// one (<see cref="Identify"/>), else <paramref name="fallback"/> ("attempt 2", "the new socket") for one closed before it got one.
    /// </summary>
    internal string Born(Socket socket, string fallback)
    {
        string name;
        lock (_lines)
        {
            _names.Add(fallback);
            name = $"{Mark}{_names.Count - 1}{Mark}";
            _born[socket] = name;
        }
        Add($"socket({Family(socket.AddressFamily)}, {Type(socket.SocketType)}) -> {name}");
        return name;
    }

    /// <summary>How lines name an OS socket: as <see cref="Born"/> named it, or by its PsSocket id.</summary>
    internal string Of(Socket socket)
    {
        lock (_lines)
        {
            return _born.TryGetValue(socket, out var name) ? name : "the socket";
        }
    }

    /// <summary>The socket <see cref="Born"/> told of became <paramref name="socket"/>: its lines name it by its id.</summary>
    internal void Identify(PsSocket socket)
    {
        lock (_lines)
        {
            if (_born.TryGetValue(socket.Socket, out var name) && name[0] == Mark)
            {
                _names[int.Parse(name.AsSpan(1, name.Length - 2), CultureInfo.InvariantCulture)] = _born[socket.Socket] = $"#{socket.Id}";
            }
        }
    }

    /// <summary>
    /// Adds "<paramref name="call"/> failed: ECONNREFUSED in 0.1 ms" (or "timed out after 5 s") and returns false: used as an
    /// exception filter, it tells of the failure on its way out without catching it. A stop (Ctrl+C) is not told of.
    /// </summary>
    internal bool Failed(string call, long started, Exception e, bool timedOut = false)
    {
        if (timedOut)
        {
            Add($"{call} timed out after {Took(started)}");
        }
        else if (e is not OperationCanceledException)
        {
            Add($"{call} {Outcome(e, started)}");
        }
        return false;
    }

    /// <summary>"failed: ECONNREFUSED in 0.1 ms", or "timed out after 5 s".</summary>
    public static string Outcome(Exception e, long started) =>
        e is SocketOperationException { Failure: SocketFailure.OperationTimeout, InnerException: not SocketException }
            ? $"timed out after {Took(started)}"
            : $"failed: {Errno.Name(e)} in {Took(started)}";

    /// <summary>A timestamp to measure a call from, when someone listens; 0 otherwise.</summary>
    public static long Start() => t_current is null ? 0 : Stopwatch.GetTimestamp();

    /// <summary>The time since <paramref name="started"/> as a person reads it: 0.4 ms, 12.0 ms, 1.5 s.</summary>
    public static string Took(long started) => Took(Stopwatch.GetElapsedTime(started));

    /// <summary>A duration as a person reads it: 0.4 ms, 12.0 ms, 1.5 s.</summary>
    public static string Took(TimeSpan elapsed)
    {
        double ms = elapsed.TotalMilliseconds;
        // One decimal always: the same shape for 0.4 ms and 12.0 ms, so output compared with its digits masked still matches.
        return ms < 1000 ? $"{ms.ToString("0.0", CultureInfo.InvariantCulture)} ms" : $"{(ms / 1000).ToString("0.0", CultureInfo.InvariantCulture)} s";
    }

    /// <summary>AF_INET, AF_INET6, AF_UNIX.</summary>
    public static string Family(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => "AF_INET",
        AddressFamily.InterNetworkV6 => "AF_INET6",
        AddressFamily.Unix => "AF_UNIX",
        _ => family.ToString(),
    };

    /// <summary>SOCK_STREAM, SOCK_DGRAM.</summary>
    public static string Type(SocketType type) => type switch
    {
        SocketType.Stream => "SOCK_STREAM",
        SocketType.Dgram => "SOCK_DGRAM",
        _ => type.ToString(),
    };

    private string Resolve(string line)
    {
        if (line.IndexOf(Mark) < 0)
        {
            return line;
        }
        var text = new StringBuilder(line.Length);
        var parts = line.Split(Mark);
        for (int i = 0; i < parts.Length; i++)
        {
            text.Append(i % 2 == 0 ? parts[i] : _names[int.Parse(parts[i], CultureInfo.InvariantCulture)]);
        }
        return text.ToString();
    }
}
