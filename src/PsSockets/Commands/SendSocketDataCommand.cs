using System;
using System.IO;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>send()/sendall(): every input object is sent whole, or the cmdlet says how much went out.</summary>
[Cmdlet(VerbsCommunications.Send, "SocketData", DefaultParameterSetName = ObjectSet)]
[OutputType(typeof(void))]
public sealed class SendSocketDataCommand : SocketCmdlet
{
    private const int StreamChunk = 64 * 1024;
    private const string ObjectSet = "Object";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    // Single bytes (a byte[] unrolled by the pipeline) are gathered and sent together.
    private MemoryStream? _pendingBytes;

    [Parameter(Mandatory = true, Position = 0)]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket Socket { get; set; } = null!;

    /// <summary>A string (sent as UTF-8), a byte[], a single byte, a Stream, or anything else as its text.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ParameterSetName = ObjectSet)]
    [AllowNull]
    [AllowEmptyString]
    public object? InputObject { get; set; }

    /// <summary>Files to send (wildcards allowed), each whole, with sendfile(2) where the OS has it.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = null!;

    /// <summary>Files to send, taken as written (no wildcards). FileInfo objects from the pipeline are sent as files too.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = null!;

    /// <summary>
    /// sendto(): where each datagram goes, on a datagram socket that is not connected (or to override its peer):
    /// 'host:port', '[::1]:port', 'unix:/path', or a received datagram's RemoteEndPoint.
    /// </summary>
    [Parameter(ParameterSetName = ObjectSet)]
    [EndPointTransformation]
    [ValidateNotNull]
    public EndPointText? To { get; set; }

    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; }

    /// <summary>Writes each message's length before it: 1, 2, 4 or 8 bytes, or 1 to 19 ASCII digits.</summary>
    [Parameter]
    [ValidateRange(1, 19)]
    public int LengthPrefix { get; set; }

    [Parameter]
    public LengthPrefixFormat LengthPrefixFormat { get; set; } = LengthPrefixFormat.BigEndian;

    /// <summary>Written after each message (a string is taken as its UTF-8 bytes).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public object? Delimiter { get; set; }

    /// <summary>Appends the socket's NewLine ("\n" unless set, e.g. "\r\n" for SMTP or HTTP) to each message.</summary>
    [Parameter]
    public SwitchParameter Line { get; set; }

    /// <summary>How strings are encoded: utf8 (default, no BOM), ascii, latin1, utf16, utf32, a code page.</summary>
    [Parameter]
    [EncodingTransformation]
    [ArgumentCompleter(typeof(EncodingCompleter))]
    public System.Text.Encoding Encoding { get; set; } = PsSocket.DefaultEncoding;

    private LengthPrefix? _prefix;
    private byte[]? _delimiter;
    private System.Net.EndPoint? _destination;

    private bool Framed => _prefix is not null || _delimiter is not null;

    protected override PsSocket? ItemSocket => Socket;

    protected override void Begin()
    {
        _prefix = IsBound(nameof(LengthPrefix)) ? FramingArguments.Prefix(this, LengthPrefix, LengthPrefixFormat) : null;
        if (Line && Delimiter is not null)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-Line and -Delimiter both end each message; give one of them."),
                "LineWithDelimiter", ErrorCategory.InvalidArgument, Delimiter));
        }
        _delimiter = Line ? Encoding.GetBytes(Socket.NewLine) : Delimiter is null ? null : FramingArguments.Delimiter(this, Delimiter, Encoding);
        if (To is not null)
        {
            if (!Socket.IsDatagram)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException(
                    $"-To names where each datagram goes; {Socket} is a stream socket, which sends only to the peer it is connected to (Connect-Socket)."),
                    "ToOnStreamSocket", ErrorCategory.InvalidArgument, To));
            }
            try
            {
                _destination = Socket.ResolveDestination(To, BoundTimeout(Timeout), StopToken); // once for every datagram of the pipeline
            }
            catch (SocketOperationException e)
            {
                ThrowTerminatingError(SocketErrors.ToRecord(e)); // with no destination, no input can be sent
            }
        }
    }

    protected override void Process()
    {
        if (ParameterSetName != ObjectSet)
        {
            foreach (string file in FileArguments.Resolve(this, ParameterSetName == PathSet ? Path : LiteralPath, literal: ParameterSetName == LiteralPathSet))
            {
                SendFile(file);
            }
            return;
        }
        object? input = InputObject is PSObject pso ? pso.BaseObject : InputObject;
        if (input is object?[] items)
        {
            // An array given as an argument (1, 2 or "a", "b") sends like the same items piped.
            foreach (var item in items)
            {
                SendOne(item);
            }
            return;
        }
        SendOne(InputObject);
    }

    /// <summary>One input object; <paramref name="item"/> may be wrapped (a [pscustomobject]'s text lives on its wrapper).</summary>
    private void SendOne(object? item)
    {
        object? input = item is PSObject pso ? pso.BaseObject : item;
        if (input is ISessionObject)
        {
            // A socket piped to Send-SocketData would otherwise go out as its description: "socket 3 (Tcp ...)".
            WriteError(new ErrorRecord(new PSArgumentException(
                $"{input} is not data to send: Send-SocketData sends strings, bytes, streams and files. Give the socket to send on with -Socket."),
                "SocketAsData", ErrorCategory.InvalidArgument, input));
            return;
        }
        if (input is byte single)
        {
            _pendingBytes ??= new MemoryStream();
            _pendingBytes.WriteByte(single);
            if (_pendingBytes.Length >= StreamChunk && !Framed && !Socket.IsDatagram) // framed, or a datagram, the gathered bytes are one message
            {
                SendPendingBytes();
            }
            return;
        }
        SendPendingBytes();
        switch (input)
        {
            case null:
                return;
            case byte[] bytes:
                SendMessage(bytes);
                break;
            case string text:
                SendMessage(Encoding.GetBytes(text));
                break;
            case Stream stream:
                SendStream(stream);
                break;
            case FileInfo file:
                SendFile(file.FullName);
                break;
            default:
                SendMessage(Encoding.GetBytes(LanguagePrimitives.ConvertTo<string>(item)));
                break;
        }
    }

    protected override void End() => SendPendingBytes();

    private void SendPendingBytes()
    {
        if (_pendingBytes is { Length: > 0 })
        {
            SendMessage(_pendingBytes.GetBuffer().AsMemory(0, (int)_pendingBytes.Length));
            _pendingBytes.SetLength(0);
        }
    }

    private void SendFile(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        SendStream(file, $"Sending {path} to {PsSocket.FormatEndPoint(Socket.RemoteEndPoint)}", path);
    }

    private void SendStream(Stream stream, string? activity = null, string? path = null)
    {
        long? length = stream.CanSeek ? stream.Length - stream.Position : null;
        if (_prefix is { } prefix)
        {
            Send(MessageBytes.Prefix(prefix, length ?? throw new PSArgumentException(
                "A stream sent with -LengthPrefix must know its length (a seekable stream such as a file or a MemoryStream).", nameof(InputObject)), Socket));
        }
        var progress = new TransferProgress(this, activity ?? $"Sending to {PsSocket.FormatEndPoint(Socket.RemoteEndPoint)}", length);
        long sent = Socket.SendStream(stream, length, BoundTimeout(Timeout), StopToken, progress.Report);
        progress.Complete();
        if (VerboseWanted)
        {
            WriteTransfer("send", Socket, path is null ? "a stream" : $"file {path}", $"{sent}");
        }
        if (_delimiter is not null)
        {
            Send(_delimiter);
        }
    }

    /// <summary>One message, framed as asked: prefix, bytes, delimiter, in one send when it is small; on a datagram socket, one datagram.</summary>
    private void SendMessage(ReadOnlyMemory<byte> data)
    {
        if (!Framed && !Socket.IsDatagram)
        {
            Send(data);
            return;
        }
        var header = _prefix is { } prefix ? MessageBytes.Prefix(prefix, data.Length, Socket) : [];
        var trailer = _delimiter ?? [];
        if (Socket.IsDatagram)
        {
            var datagram = Framed ? MessageBytes.Join(header, data.Span, trailer) : data;
            Socket.SendDatagram(datagram, _destination, BoundTimeout(Timeout), StopToken);
            if (TransferWanted)
            {
                WriteTransfer(_destination is null ? "send" : "sendto", Socket,
                    _destination is null ? $"{datagram.Length} bytes" : $"{datagram.Length} bytes, {PsSocket.FormatEndPoint(_destination)}", $"{datagram.Length}", datagram.Span);
            }
            return;
        }
        if (data.Length <= StreamChunk)
        {
            Send(MessageBytes.Join(header, data.Span, trailer));
            return;
        }
        long total = header.Length + data.Length + trailer.Length;
        var progress = new TransferProgress(this, $"Sending to {PsSocket.FormatEndPoint(Socket.RemoteEndPoint)}", total);
        Socket.Send(header, data, trailer, BoundTimeout(Timeout), StopToken, progress.Report);
        progress.Complete();
        if (TransferWanted)
        {
            WriteTransfer("send", Socket, $"{total} bytes", $"{total}", MessageBytes.Join(header, data.Span[..PayloadDump.MaxBytes], []));
        }
    }

    private void Send(ReadOnlyMemory<byte> data)
    {
        if (data.Length < TransferProgress.Threshold)
        {
            Socket.Send(data, BoundTimeout(Timeout), StopToken);
        }
        else
        {
            var progress = new TransferProgress(this, $"Sending to {PsSocket.FormatEndPoint(Socket.RemoteEndPoint)}", data.Length);
            Socket.Send(data, BoundTimeout(Timeout), StopToken, progress.Report);
            progress.Complete();
        }
        if (TransferWanted)
        {
            WriteTransfer("send", Socket, $"{data.Length} bytes", $"{data.Length}", data.Span);
        }
    }
}
