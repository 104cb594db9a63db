using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>
/// recv(): what is there now, exactly -Count bytes, one -Line, or everything -ToEnd. Bytes read
/// past the message stay buffered on the socket for the next receive.
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "SocketData", DefaultParameterSetName = AvailableSet)]
[OutputType(typeof(string), typeof(byte[]))]
public sealed class ReceiveSocketDataCommand : SocketCmdlet
{
    private const string AvailableSet = "Available";
    private const string CountSet = "Count";
    private const string LineSet = "Line";
    private const string ToEndSet = "ToEnd";
    private const string DelimiterSet = "Delimiter";
    private const string LengthPrefixSet = "LengthPrefix";

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket Socket { get; set; } = null!;

    /// <summary>The most bytes one receive of what is there now returns (recv's bufsize).</summary>
    [Parameter(ParameterSetName = AvailableSet)]
    [ValidateRange(1, int.MaxValue)]
    public int BufferSize { get; set; } = 64 * 1024;

    [Parameter(Mandatory = true, ParameterSetName = CountSet)]
    [ValidateRange(0, int.MaxValue)]
    public int Count { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = LineSet)]
    public SwitchParameter Line { get; set; }

    [Parameter(Mandatory = true, ParameterSetName = ToEndSet)]
    public SwitchParameter ToEnd { get; set; }

    /// <summary>Up to this byte sequence (a string is taken as its UTF-8 bytes); the delimiter is consumed, not returned.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DelimiterSet)]
    [ValidateNotNullOrEmpty]
    public object Delimiter { get; set; } = null!;

    /// <summary>The size of the length prefix before each message: 1, 2, 4 or 8 bytes, or 1 to 19 ASCII digits.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LengthPrefixSet)]
    [ValidateRange(1, 19)]
    public int LengthPrefix { get; set; }

    [Parameter(ParameterSetName = LengthPrefixSet)]
    public LengthPrefixFormat LengthPrefixFormat { get; set; } = LengthPrefixFormat.BigEndian;

    /// <summary>
    /// Emits message after message as each arrives, until the peer closes at a message boundary
    /// (the normal end, not an error), a timeout between messages, or Ctrl+C.
    /// </summary>
    [Parameter]
    public SwitchParameter Continuous { get; set; }

    /// <summary>The largest message this receive accepts; the socket's MaxMessageSize when left out.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MaxMessageSize { get; set; }

    [Parameter]
    public SwitchParameter AsByteArray { get; set; }

    /// <summary>How text is decoded (and a string -Delimiter or -Line encoded): utf8 (default), ascii, latin1, utf16, utf32, a code page.</summary>
    [Parameter]
    [EncodingTransformation]
    [ArgumentCompleter(typeof(EncodingCompleter))]
    public System.Text.Encoding Encoding { get; set; } = PsSocket.DefaultEncoding;

    /// <summary>Returns the message but leaves it buffered, so the next receive gets it again.</summary>
    [Parameter]
    public SwitchParameter Peek { get; set; }

    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; }

    protected override void Begin()
    {
        if (Continuous && Peek)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-Continuous cannot be combined with -Peek: it would return the same message forever."),
                "ContinuousWithPeek", ErrorCategory.InvalidArgument, null));
        }
    }

    protected override void Process()
    {
        if (!Continuous)
        {
            WriteObject(ReceiveOne());
            return;
        }
        while (true)
        {
            object message;
            try
            {
                message = ReceiveOne();
            }
            catch (SocketOperationException e) when (e.Failure == SocketFailure.PeerClosed && Socket.BytesBuffered == 0)
            {
                WriteVerbose($"The peer closed {Socket}: end of the messages.");
                return;
            }
            WriteObject(message);
        }
    }

    private object ReceiveOne()
    {
        var timeout = BoundTimeout(Timeout);
        if (ParameterSetName == AvailableSet)
        {
            return AsByteArray
                ? Socket.ReceiveAvailable(BufferSize, Peek, timeout, StopToken)
                : Socket.ReceiveAvailableText(BufferSize, Peek, timeout, StopToken, Encoding);
        }
        int? limit = IsBound(nameof(MaxMessageSize)) ? MaxMessageSize : null;
        Framing framing = ParameterSetName switch
        {
            CountSet => new CountFraming(Count),
            LineSet => DelimiterFraming.Line(Encoding),
            DelimiterSet => new DelimiterFraming(MessageBytes.Delimiter(Delimiter, Encoding), stripBefore: null),
            LengthPrefixSet => new LengthPrefixFraming(new LengthPrefix(LengthPrefix, LengthPrefixFormat), limit ?? Socket.MaxMessageSize, Socket),
            _ => new ToEndFraming(),
        };
        return AsByteArray
            ? Socket.Receive(framing, Peek, timeout, StopToken, PsSocket.AsBytes, limit)
            : Socket.Receive(framing, Peek, timeout, StopToken, PsSocket.AsText(Encoding), limit);
    }
}
