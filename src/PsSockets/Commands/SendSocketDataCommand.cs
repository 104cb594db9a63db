using System;
using System.IO;
using System.Management.Automation;
using System.Text;

namespace PsSockets.Commands;

/// <summary>send()/sendall(): every input object is sent whole, or the cmdlet says how much went out.</summary>
[Cmdlet(VerbsCommunications.Send, "SocketData")]
[OutputType(typeof(void))]
public sealed class SendSocketDataCommand : SocketCmdlet
{
    private const int StreamChunk = 64 * 1024;
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false);

    // Single bytes (a byte[] unrolled by the pipeline) are gathered and sent together.
    private MemoryStream? _pendingBytes;

    [Parameter(Mandatory = true, Position = 0)]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket Socket { get; set; } = null!;

    /// <summary>A string (sent as UTF-8), a byte[], a single byte, a Stream, or anything else as its text.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true)]
    [AllowNull]
    [AllowEmptyString]
    public object? InputObject { get; set; }

    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; }

    protected override void Process()
    {
        object? input = InputObject is PSObject pso ? pso.BaseObject : InputObject;
        if (input is object?[] items)
        {
            // An array given as an argument (1, 2 or "a", "b") sends like the same items piped.
            foreach (var item in items)
            {
                SendOne(item is PSObject p ? p.BaseObject : item);
            }
            return;
        }
        SendOne(input);
    }

    private void SendOne(object? input)
    {
        if (input is byte single)
        {
            _pendingBytes ??= new MemoryStream();
            _pendingBytes.WriteByte(single);
            if (_pendingBytes.Length >= StreamChunk)
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
                Send(bytes);
                break;
            case string text:
                Send(s_utf8.GetBytes(text));
                break;
            case Stream stream:
                SendStream(stream);
                break;
            default:
                Send(s_utf8.GetBytes(LanguagePrimitives.ConvertTo<string>(input)));
                break;
        }
    }

    protected override void End() => SendPendingBytes();

    private void SendPendingBytes()
    {
        if (_pendingBytes is { Length: > 0 })
        {
            Send(_pendingBytes.GetBuffer().AsMemory(0, (int)_pendingBytes.Length));
            _pendingBytes.SetLength(0);
        }
    }

    private void SendStream(Stream stream)
    {
        var chunk = new byte[StreamChunk];
        int read;
        while ((read = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            StopToken.ThrowIfCancellationRequested();
            Send(chunk.AsMemory(0, read));
        }
    }

    private void Send(ReadOnlyMemory<byte> data) => Socket.Send(data, BoundTimeout(Timeout), StopToken);
}
