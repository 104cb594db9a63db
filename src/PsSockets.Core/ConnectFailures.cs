using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace PsSockets;

/// <summary>The connect attempts that failed, in the order they failed: what a connect's final error lists.</summary>
internal sealed class ConnectFailures
{
    private readonly List<(IPEndPoint EndPoint, SocketException Error)> _all = new();

    public int Count => _all.Count;

    public SocketException Last => _all[^1].Error;

    public IEnumerable<SocketException> Errors => _all.Select(f => f.Error);

    /// <summary>"127.0.0.1:80: Connection refused", one per attempt.</summary>
    public IReadOnlyList<string> Descriptions => _all.Select(f => $"{PsSocket.FormatEndPoint(f.EndPoint)}: {f.Error.Message}").ToList();

    public void Add(IPEndPoint endPoint, SocketException error) => _all.Add((endPoint, error));

    public override string ToString() => string.Join("; ", Descriptions);

    /// <summary>" (before that: ...)" for a message about the attempt that ended the connect, or nothing.</summary>
    public string BeforeThat() => Count == 0 ? string.Empty : $" (before that: {this})";
}
