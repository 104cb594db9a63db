using System;
using System.Management.Automation;
using System.Net.Sockets;

namespace PsSockets.Commands;

/// <summary>
/// One request, one answer: sends the request framed as asked, then receives one answer framed
/// the same way. A line protocol (Redis, SMTP, memcached) or a length-prefixed RPC in one call.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "SocketRequest", DefaultParameterSetName = LineSet)]
[OutputType(typeof(string), typeof(byte[]))]
public sealed class InvokeSocketRequestCommand : SocketCmdlet
{
    private const string CountSet = "Count";
    private const string LineSet = "Line";
    private const string DelimiterSet = "Delimiter";
    private const string LengthPrefixSet = "LengthPrefix";
    private const string ToEndSet = "ToEnd";

    [Parameter(Mandatory = true, Position = 0)]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket Socket { get; set; } = null!;

    /// <summary>The request: a string (in -Encoding) or bytes. Each object from the pipeline is one request.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true)]
    [AllowEmptyString]
    public object Request { get; set; } = null!;

    /// <summary>The request is sent as it is, and the answer is exactly this many bytes.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CountSet)]
    [ValidateRange(0, int.MaxValue)]
    public int Count { get; set; }

    /// <summary>The default: the request gets the socket's NewLine, and the answer is one line.</summary>
    [Parameter(ParameterSetName = LineSet)]
    public SwitchParameter Line { get; set; }

    /// <summary>The request ends with this delimiter, and the answer is read up to it.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DelimiterSet)]
    [ValidateNotNullOrEmpty]
    public object Delimiter { get; set; } = null!;

    /// <summary>The request is prefixed with its length, and the answer is read by its prefix: 1, 2, 4 or 8 bytes, or 1 to 19 ASCII digits.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LengthPrefixSet)]
    [ValidateRange(1, 19)]
    public int LengthPrefix { get; set; }

    [Parameter(ParameterSetName = LengthPrefixSet)]
    public LengthPrefixFormat LengthPrefixFormat { get; set; } = LengthPrefixFormat.BigEndian;

    /// <summary>HTTP/1.0 style: the request is sent, the sending side shut down, and the answer is everything up to the peer's close.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ToEndSet)]
    public SwitchParameter ToEnd { get; set; }

    [Parameter]
    [EncodingTransformation]
    [ArgumentCompleter(typeof(EncodingCompleter))]
    public System.Text.Encoding Encoding { get; set; } = PsSocket.DefaultEncoding;

    [Parameter]
    public SwitchParameter AsByteArray { get; set; }

    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxMessageSize { get; set; }

    /// <summary>Limits the send and the wait for the answer, each.</summary>
    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; }

    private LengthPrefix? _prefix;
    private byte[]? _delimiter;
    private int? _limit;

    protected override PsSocket? ItemSocket => Socket;

    protected override void Begin()
    {
        _limit = IsBound(nameof(MaxMessageSize)) ? MaxMessageSize : null;
        _prefix = ParameterSetName == LengthPrefixSet ? FramingArguments.Prefix(this, LengthPrefix, LengthPrefixFormat) : null;
        _delimiter = ParameterSetName switch
        {
            LineSet => Encoding.GetBytes(Socket.NewLine),
            DelimiterSet => FramingArguments.Delimiter(this, Delimiter, Encoding),
            _ => null,
        };
    }

    protected override void Process()
    {
        var timeout = BoundTimeout(Timeout);
        if (Socket.IsDatagram)
        {
            RequestDatagram(timeout);
            return;
        }
        var request = Frame(MessageBytes.Payload(Request, Encoding));
        Socket.Send(request, timeout, StopToken);
        if (TransferWanted)
        {
            WriteTransfer("send", Socket, $"{request.Length} bytes", $"{request.Length}", request);
        }
        if (ParameterSetName == ToEndSet)
        {
            Socket.Shutdown(SocketShutdown.Send);
        }
        Framing framing = ParameterSetName switch
        {
            CountSet => new CountFraming(Count),
            LineSet => DelimiterFraming.Line(Encoding),
            DelimiterSet => new DelimiterFraming(_delimiter!, stripBefore: null, (Delimiter is PSObject pso ? pso.BaseObject : Delimiter) is string or char ? DelimiterFraming.CodeUnit(Encoding) : 1),
            LengthPrefixSet => new LengthPrefixFraming(_prefix!.Value, _limit ?? Socket.MaxMessageSize, Socket),
            _ => new ToEndFraming(),
        };
        if (TransferWanted)
        {
            var bytes = Socket.Receive(framing, peek: false, timeout, StopToken, PsSocket.AsBytes, _limit);
            WriteTransfer("recv", Socket, framing.Describe(), $"{bytes.Length} bytes", bytes);
            WriteObject(AsByteArray ? bytes : PsSocket.AsText(Encoding)(bytes));
            return;
        }
        object answer = AsByteArray
            ? Socket.Receive(framing, peek: false, timeout, StopToken, PsSocket.AsBytes, _limit)
            : Socket.Receive(framing, peek: false, timeout, StopToken, PsSocket.AsText(Encoding), _limit);
        WriteObject(answer);
    }

    /// <summary>The request with its prefix or delimiter, as one buffer so it leaves in one send.</summary>
    /// <summary>On a connected datagram socket the request is one datagram and the answer the next datagram from the peer.</summary>
    private void RequestDatagram(TimeSpan? timeout)
    {
        if (Socket.RemoteEndPoint is null)
        {
            throw new SocketOperationException(SocketFailure.NotConnected,
                $"Cannot make a request on {Socket}: a datagram socket must be connected to the peer that answers (Connect-Socket host port -Udp, or Connect-Socket -Socket).", Socket);
        }
        if (ParameterSetName != LineSet || Line)
        {
            throw new SocketOperationException(SocketFailure.InvalidArgument,
                $"Cannot frame a request on {Socket}: it is a datagram socket, where the request is one datagram and the answer the next one; leave out -Count, -Line, -Delimiter, -LengthPrefix and -ToEnd.", Socket);
        }
        var request = MessageBytes.Payload(Request, Encoding);
        Socket.SendDatagram(request, to: null, timeout, StopToken);
        if (TransferWanted)
        {
            WriteTransfer("send", Socket, $"{request.Length} bytes", $"{request.Length}", request);
        }
        var answer = Socket.ReceiveDatagram(maxSize: null, peek: false, timeout, StopToken, Encoding);
        if (TransferWanted)
        {
            WriteTransfer("recv", Socket, "a datagram", $"{answer.Length}", answer.Data);
        }
        WriteObject(AsByteArray ? answer.Data : answer.Text);
    }

    private byte[] Frame(byte[] payload)
    {
        if (_prefix is null && _delimiter is null)
        {
            return payload;
        }
        byte[] header = _prefix is { } prefix ? MessageBytes.Prefix(prefix, payload.Length, Socket) : [];
        return MessageBytes.Join(header, payload, _delimiter ?? []);
    }
}
