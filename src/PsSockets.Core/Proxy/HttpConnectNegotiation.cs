using System;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace PsSockets;

/// <summary>
/// An HTTP proxy's CONNECT tunnel (RFC 9110 section 9.3.6), with Basic proxy authentication. The response head
/// is read up to its blank line, at most <see cref="MaxHeadSize"/> bytes; bytes after it are the target's and
/// stay buffered on the socket.
/// </summary>
internal sealed partial class HttpConnectNegotiation : ProxyNegotiation
{
    public const int MaxHeadSize = 16 * 1024;

    private readonly NetworkCredential? _credential;
    private readonly byte[] _request;

    public HttpConnectNegotiation(ProxyAddress proxy, string host, int port)
    {
        _credential = proxy.Credential;
        string authority = new EndPointText(host, port, null).ToString();
        var request = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"CONNECT {authority} HTTP/1.1\r\n")
            .Append(CultureInfo.InvariantCulture, $"Host: {authority}\r\n");
        if (_credential is not null)
        {
            if (_credential.UserName.Contains(':', StringComparison.Ordinal))
            {
                throw new SocketOperationException(SocketFailure.InvalidArgument,
                    $"Cannot log in to {proxy.Describe()}: a user name for Basic authentication has no ':'.", proxy.ToString());
            }
            string basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_credential.UserName}:{_credential.Password}"));
            request.Append(CultureInfo.InvariantCulture, $"Proxy-Authorization: Basic {basic}\r\n");
        }
        _request = Encoding.ASCII.GetBytes(request.Append("\r\n").ToString());
    }

    public override void Run(ProxyConversation conversation)
    {
        string asked = $"CONNECT {conversation.Target}";
        conversation.Send(_request, $"the request {asked}");
        var (code, shown) = ReadStatus(conversation, asked);
        while (code is >= 100 and < 200) // an interim answer (100 Continue, 103 Early Hints): the real one follows
        {
            (code, shown) = ReadStatus(conversation, asked);
        }
        if (code is >= 200 and < 300)
        {
            return;
        }
        throw code switch
        {
            407 when _credential is null => conversation.Failed(SocketFailure.ProxyAuthenticationFailed,
                $"it asks for credentials ({shown}); give a user name and password (-ProxyCredential, or http://user:password@host:port)"),
            407 => conversation.Failed(SocketFailure.ProxyAuthenticationFailed, $"it rejected the user name and password of '{_credential.UserName}' ({shown})"),
            502 or 503 or 504 => conversation.Failed(SocketFailure.ProxyFailed,
                $"the proxy could not connect to it ({shown}; an HTTP proxy does not say whether the target refused, is unreachable or has no address)"),
            _ => conversation.Failed(SocketFailure.ProxyFailed, $"the proxy refused the tunnel ({shown})"),
        };
    }

    /// <summary>Reads one response head: its status code and its status line, as a message may show it.</summary>
    private static (int Code, string StatusLine) ReadStatus(ProxyConversation conversation, string asked)
    {
        var head = conversation.Receive(new HttpHeadFraming(), $"its answer to {asked}", MaxHeadSize);
        string statusLine = Encoding.Latin1.GetString(head, 0, Math.Max(0, Array.IndexOf(head, (byte)'\n'))).TrimEnd('\r');
        string shown = ProxyConversation.Printable(Encoding.Latin1.GetBytes(statusLine));
        var status = StatusLine().Match(statusLine);
        return status.Success
            ? (int.Parse(status.Groups["code"].Value, CultureInfo.InvariantCulture), shown)
            : throw conversation.Failed(SocketFailure.ProxyProtocolError, $"its answer to {asked} is not HTTP: it starts '{shown}'");
    }

    [GeneratedRegex(@"^HTTP/\d(\.\d)? (?<code>\d{3})( .*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex StatusLine();
}
