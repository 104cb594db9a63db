using System;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace PsSockets;

/// <summary>connect() through a proxy, as ncat --proxy does.</summary>
public static partial class SocketFactory
{
    /// <summary>
    /// Connects to <paramref name="proxy"/> and has it open a tunnel to <paramref name="targetHost"/>:<paramref name="targetPort"/>
    /// (a name goes to the proxy to resolve), all within one time limit. Returns the socket, its bytes now the target's;
    /// on failure the socket is closed. <paramref name="family"/> applies to reaching the proxy.
    /// </summary>
    /// <param name="credential">The user and password for the proxy, when the address does not carry them.</param>
    public static PsSocket ConnectThroughProxy(ProxyAddress proxy, string targetHost, int targetPort, NetworkCredential? credential,
        AddressFamily family, SocketOptions options, TimeSpan? timeout, CancellationToken token)
    {
        long started = Stopwatch.GetTimestamp();
        if (credential is not null && proxy.Credential is not null)
        {
            throw new SocketOperationException(SocketFailure.InvalidArgument,
                $"The credentials for {proxy.Describe()} are given twice: in the address and apart from it; give them once.", proxy.ToString());
        }
        proxy = credential is null ? proxy : proxy.WithCredential(credential);
        string host = targetHost is ['[', .., ']'] ? targetHost[1..^1] : targetHost;
        var negotiation = ProxyNegotiation.For(proxy, host, targetPort);
        PsSocket socket;
        try
        {
            socket = Connect(proxy.Host, proxy.Port, existing: null, family, options, timeout, token);
        }
        catch (SocketOperationException e)
        {
            throw new SocketOperationException(e.Failure,
                $"Cannot connect to {new EndPointText(host, targetPort, null)} via {proxy.Describe()}: the proxy cannot be reached. {e.Message}", e.Target, e.InnerException ?? e);
        }
        long asked = SocketCallLog.Start();
        string call = $"{(proxy.Scheme == "socks5" ? "SOCKS5 CONNECT" : "HTTP CONNECT")} {new EndPointText(host, targetPort, null)} through #{socket.Id}";
        try
        {
            var conversation = new ProxyConversation(socket, proxy, host, targetPort, timeout, started, token);
            negotiation.Run(conversation);
            socket.MarkProxied(proxy.WithoutPassword(), new EndPointText(host, targetPort, null));
            SocketCallLog.Current?.Add($"{call} ok in {SocketCallLog.Took(asked)}: #{socket.Id} now talks to {new EndPointText(host, targetPort, null)}");
            return socket;
        }
        catch (Exception e) when (SocketCallLog.Current is { } log && log.Failed(call, asked, e))
        {
            throw; // not reached: the filter only tells of the failure
        }
        catch
        {
            socket.Close();
            throw;
        }
    }
}
