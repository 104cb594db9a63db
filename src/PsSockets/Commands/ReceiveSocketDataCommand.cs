using System;
using System.IO;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>
/// recv(): what is there now, exactly -Count bytes, one -Line, or everything -ToEnd. Bytes read
/// past the message stay buffered on the socket for the next receive.
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "SocketData", DefaultParameterSetName = AvailableSet)]
[OutputType(typeof(string), typeof(byte[]), typeof(FileInfo))]
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

    /// <summary>Exactly this many bytes; up to 2 GiB into memory, any size with -OutFile.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CountSet)]
    [ValidateRange(0, long.MaxValue)]
    public long Count { get; set; }

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

    /// <summary>Shows the message as hexdump -C does: offset, sixteen bytes in hex, and the printable ASCII, one string per line.</summary>
    [Parameter]
    public SwitchParameter AsHexDump { get; set; }

    // -OutFile and -PassThru are optional in the -Count and -ToEnd sets rather than sets of their own: with
    // two sets per switch the engine must resolve the ambiguity on every call, about 3 µs of binding each.

    /// <summary>Writes the bytes to this file (created or overwritten) in constant memory, instead of to the pipeline.</summary>
    [Parameter(ParameterSetName = CountSet)]
    [Parameter(ParameterSetName = ToEndSet)]
    [ValidateNotNullOrEmpty]
    public string? OutFile { get; set; }

    /// <summary>With -OutFile, emits the written file's FileInfo.</summary>
    [Parameter(ParameterSetName = CountSet)]
    [Parameter(ParameterSetName = ToEndSet)]
    public SwitchParameter PassThru { get; set; }

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

    private bool ToFile => OutFile is not null;

    protected override void Begin()
    {
        RefuseTogether(Continuous && Peek, "ContinuousWithPeek", "-Continuous cannot be combined with -Peek: it would return the same message forever.");
        RefuseTogether(AsByteArray && AsHexDump, "ByteArrayWithHexDump", "-AsByteArray and -AsHexDump are two ways to show the message; give one of them.");
        RefuseTogether(ToFile && (Continuous || Peek || AsByteArray || AsHexDump || IsBound(nameof(Encoding))), "OutFileWithOutputOption",
            "-OutFile writes the bytes to the file as they are: it cannot be combined with -Continuous, -Peek, -AsByteArray, -AsHexDump or -Encoding.");
        RefuseTogether(PassThru && !ToFile, "PassThruWithoutOutFile", "-PassThru emits the file that -OutFile wrote; give -OutFile too, or leave -PassThru out.");
        RefuseTogether(ParameterSetName == CountSet && !ToFile && Count > int.MaxValue, "CountTooLargeForMemory",
            $"-Count {Count} is more than one message in memory can hold (2 GiB); write it to a file with -OutFile.");
    }

    private void RefuseTogether(bool refused, string errorId, string message)
    {
        if (refused)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException(message), errorId, ErrorCategory.InvalidArgument, null));
        }
    }

    protected override void Process()
    {
        if (ToFile)
        {
            ReceiveToFile(); // bytes already written out cannot go back: would-block there is an error
            return;
        }
        try
        {
            ReceiveMessages();
        }
        catch (SocketOperationException e) when (e.Failure == SocketFailure.WouldBlock)
        {
            // A non-blocking socket with nothing (or not yet a whole message) to read: nothing, at once, as recv's EWOULDBLOCK.
            WriteVerbose(WouldBlock());
        }
    }

    private void ReceiveMessages()
    {
        if (Socket.IsDatagram && ParameterSetName == AvailableSet)
        {
            ReceiveDatagrams();
            return;
        }
        var receiveOne = Receiver();
        if (!Continuous)
        {
            WriteObject(receiveOne(), enumerateCollection: AsHexDump);
            return;
        }
        while (true)
        {
            object message;
            try
            {
                message = receiveOne();
            }
            catch (SocketOperationException e) when (e.Failure == SocketFailure.PeerClosed && Socket.BytesBuffered == 0)
            {
                WriteVerbose($"The peer closed {Socket}: end of the messages.");
                return;
            }
            WriteObject(message, enumerateCollection: AsHexDump);
        }
    }

    private string WouldBlock()
    {
        string what = Socket.IsConnecting ? "its connect is still under way"
            : Socket.BytesBuffered > 0 ? $"the {Socket.BytesBuffered} bytes buffered are not a whole message yet (they stay buffered)"
            : Socket.IsDatagram ? "no datagram is waiting"
            : "nothing has arrived";
        return $"recv(#{Socket.Id}) would block (EWOULDBLOCK): {Socket} is non-blocking and {what}.";
    }

    /// <summary>recvfrom(): one datagram, or each as it arrives with -Continuous; a cut one is an error, never output.</summary>
    private void ReceiveDatagrams()
    {
        int? max = IsBound(nameof(BufferSize)) ? BufferSize : null;
        var timeout = BoundTimeout(Timeout);
        do
        {
            var datagram = Socket.ReceiveDatagram(max, Peek, timeout, StopToken, Encoding);
            if (TransferWanted)
            {
                WriteTransfer("recvfrom", Socket, max is null ? "a datagram" : $"{max}", $"{datagram.Length} from {PsSocket.FormatEndPoint(datagram.RemoteEndPoint)}{(datagram.Truncated ? " (truncated)" : "")}", datagram.Data);
            }
            if (datagram.Truncated)
            {
                WriteSocketError(Truncated(datagram, max));
                continue;
            }
            object output = AsByteArray ? datagram.Data : AsHexDump ? PsSocket.AsHexDump(datagram.Data) : datagram;
            WriteObject(output, enumerateCollection: AsHexDump);
        }
        while (Continuous);
    }

    private SocketOperationException Truncated(Datagram datagram, int? max)
    {
        string of = datagram.SentLength > datagram.Length ? $" of {datagram.SentLength}" : string.Empty;
        return new SocketOperationException(SocketFailure.DatagramTruncated,
            $"A datagram from {PsSocket.FormatEndPoint(datagram.RemoteEndPoint)} to {Socket} was longer than -BufferSize {max} and was cut to its first {datagram.Length} bytes{of}; "
            + "the rest is lost, as it always is on a datagram socket. Leave -BufferSize out to take every datagram whole. The cut datagram is this error's TargetObject.", datagram);
    }

    private void ReceiveToFile()
    {
        string path = FileArguments.ForWriting(this, OutFile!);
        long? count = ParameterSetName == CountSet ? Count : null;
        var progress = new TransferProgress(this, $"Receiving {path} from {PsSocket.FormatEndPoint(Socket.RemoteEndPoint)}", count);
        long received;
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 1))
        {
            received = Socket.ReceiveToStream(file, count, BoundTimeout(Timeout), StopToken, progress.Report);
        }
        progress.Complete();
        if (VerboseWanted)
        {
            WriteTransfer("recv", Socket, count is null ? $"to the end of the stream, into {path}" : $"{count} bytes into {path}", $"{received}");
        }
        if (PassThru)
        {
            WriteObject(InvokeProvider.Item.Get(path), enumerateCollection: true);
        }
    }

    /// <summary>
    /// With -Verbose or -Debug, each message is received as bytes, told of (its size; its first bytes with -Debug),
    /// then made what the parameters ask for: the same output, and only then the cost of telling.
    /// </summary>
    private Func<object> Told(Func<byte[]> receive, Framing framing)
    {
        var text = PsSocket.AsText(Encoding);
        string asked = (ParameterSetName == AvailableSet ? $"{BufferSize}" : framing.Describe()) + (Peek ? ", MSG_PEEK" : "");
        return () =>
        {
            byte[] message;
            try
            {
                message = receive();
            }
            catch (SocketOperationException e) when (e.Failure == SocketFailure.PeerClosed)
            {
                WriteTransfer("recv", Socket, asked, "0 (peer closed)");
                throw;
            }
            WriteTransfer("recv", Socket, asked, ParameterSetName is AvailableSet or CountSet ? $"{message.Length}" : $"{message.Length} bytes", message);
            return AsHexDump ? PsSocket.AsHexDump(message) : AsByteArray ? message : text(message);
        };
    }

    /// <summary>One receive as the parameters ask, set up once per socket: -Continuous then pays per message for the receive alone.</summary>
    private Func<object> Receiver()
    {
        var socket = Socket;
        var timeout = BoundTimeout(Timeout);
        var token = StopToken;
        bool peek = Peek;
        int? limit = IsBound(nameof(MaxMessageSize)) ? MaxMessageSize : null;
        Framing framing = ParameterSetName switch
        {
            AvailableSet => new AvailableFraming(BufferSize, AsHexDump || AsByteArray ? null : Encoding),
            CountSet => new CountFraming((int)Count),
            LineSet => DelimiterFraming.Line(Encoding),
            DelimiterSet => FramingArguments.DelimiterFraming(this, Delimiter, Encoding),
            LengthPrefixSet => new LengthPrefixFraming(FramingArguments.Prefix(this, LengthPrefix, LengthPrefixFormat), limit ?? socket.MaxMessageSize, socket),
            _ => new ToEndFraming(),
        };
        if (TransferWanted)
        {
            return Told(() => socket.Receive(framing, peek, timeout, token, PsSocket.AsBytes, limit), framing);
        }
        if (AsHexDump)
        {
            return () => socket.Receive(framing, peek, timeout, token, PsSocket.AsHexDump, limit);
        }
        if (AsByteArray)
        {
            return () => socket.Receive(framing, peek, timeout, token, PsSocket.AsBytes, limit);
        }
        var text = PsSocket.AsText(Encoding);
        return () => socket.Receive(framing, peek, timeout, token, text, limit);
    }
}
