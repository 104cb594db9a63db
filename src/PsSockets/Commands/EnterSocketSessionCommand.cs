using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Text;

namespace PsSockets.Commands;

/// <summary>
/// netcat at the prompt: lines typed go to the socket, what arrives is printed as it arrives (binary as a hex dump),
/// until the peer closes, Ctrl+D on an empty line or Ctrl+C. On a listener it first waits for one client. With piped
/// input it sends the input, then returns what comes back until the peer is quiet for -Timeout, reading no keys.
/// Everything runs on the pipeline thread: short waits on the socket alternate with the host's KeyAvailable.
/// </summary>
[Cmdlet(VerbsCommon.Enter, "SocketSession", DefaultParameterSetName = KeyboardSet)]
[OutputType(typeof(string), ParameterSetName = [InputSet])]
public sealed class EnterSocketSessionCommand : SocketCmdlet
{
    private const string KeyboardSet = "Keyboard";
    private const string InputSet = "Input";
    private const double DefaultQuietSeconds = 2;
    private static readonly TimeSpan s_look = TimeSpan.FromMilliseconds(25);

    private readonly List<object> _pending = [];
    private SocketSession? _session;
    private bool _accepted;
    private bool _startFailed;
    private string _partialLine = string.Empty;

    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = KeyboardSet)]
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = InputSet)]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket Socket { get; set; } = null!;

    /// <summary>Lines (strings) or bytes (byte[]) to send instead of reading the keyboard.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputSet)]
    [AllowEmptyString]
    public object InputObject { get; set; } = null!;

    /// <summary>What ends each line sent: LF, CRLF, CR, NUL or any string; the socket's NewLine when left out.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NewLine { get; set; }

    /// <summary>How lines are encoded and what arrives decoded: utf8 (default), ascii, latin1, utf16, utf32, a code page.</summary>
    [Parameter]
    [EncodingTransformation]
    [ArgumentCompleter(typeof(EncodingCompleter))]
    public Encoding Encoding { get; set; } = PsSocket.DefaultEncoding;

    /// <summary>Shows everything that arrives as a hex dump, text or not.</summary>
    [Parameter]
    public SwitchParameter Hex { get; set; }

    /// <summary>
    /// With piped input, how long the peer may stay quiet before the session ends (2 s when left out), and how long a
    /// send may stall; on a listener also how long to wait for the client.
    /// </summary>
    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; } = DefaultQuietSeconds;

    /// <summary>Closes the socket when the session ends (a socket the session accepted is closed anyway).</summary>
    [Parameter]
    public SwitchParameter Close { get; set; }

    /// <summary>Keeps the socket a listener session accepted open (Get-Socket lists it) instead of closing it.</summary>
    [Parameter]
    public SwitchParameter KeepOpen { get; set; }

    /// <summary>What the input line starts with.</summary>
    [Parameter(ParameterSetName = KeyboardSet)]
    [AllowEmptyString]
    public string Prompt { get; set; } = "> ";

    private bool Piped => ParameterSetName == InputSet;

    /// <summary>Piped lines on a stream go in order: the first failure ends the pipeline, the lines after it unsent.</summary>
    protected override PsSocket? ItemSocket => Piped ? Socket : null;

    protected override void Begin()
    {
        if (Close && KeepOpen)
        {
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-Close and -KeepOpen ask opposite things; give one of them."),
                "CloseWithKeepOpen", ErrorCategory.InvalidArgument, Socket));
        }
    }

    protected override void Process()
    {
        if (!Piped)
        {
            return; // the socket, piped or not: the session runs in End
        }
        Start();
        Send(InputObject);
    }

    protected override void End()
    {
        if (Piped)
        {
            if (_startFailed)
            {
                return; // the accept failed, and said so: not a second wait
            }
            Start();
            ReturnReplies();
            return;
        }
        var keys = KeyReader();
        Start();
        new InteractiveSession(this, _session!, keys).Run();
    }

    protected override void Release()
    {
        if (_session is { } session && (Close || (_accepted && !KeepOpen)))
        {
            session.Socket.Close(abort: false);
            Registry.Remove(session.Socket);
        }
    }

    private void Start()
    {
        if (_session is not null)
        {
            return;
        }
        var socket = Socket;
        _startFailed = true;
        if (socket.IsListening)
        {
            if (!Piped)
            {
                Host.UI.WriteLine($"Waiting for a client on {PsSocket.FormatEndPoint(socket.LocalEndPoint)} (Ctrl+C stops)...");
            }
            socket = Registry.Add(socket.Accept(null, IsBound(nameof(Timeout)) ? TimeSpan.FromSeconds(Timeout) : null, StopToken));
            _accepted = true;
        }
        string newLine = NewLine is null ? socket.NewLine : SessionText.NewLineNamed(NewLine);
        _session = new SocketSession(socket, Encoding, Hex, newLine);
        _startFailed = false;
        if (VerboseWanted)
        {
            Verbose($"Session on #{socket.Id} with {PsSocket.FormatEndPoint(socket.RemoteEndPoint)}: lines end with {EscapedText.Of(Encoding.GetBytes(newLine))}.");
        }
    }

    private void Send(object item)
    {
        object value = item is PSObject pso ? pso.BaseObject : item;
        byte[] data = value is byte[] bytes ? bytes : SessionText.Line(LanguagePrimitives.ConvertTo<string>(value) ?? string.Empty, _session!.NewLine, Encoding);
        _session!.Send(data, TimeSpan.FromSeconds(Timeout), StopToken); // a peer that reads nothing for -Timeout stalls the send: an error, not a hang
        if (TransferWanted)
        {
            WriteTransfer(_session.Socket.IsDatagram ? "sendto" : "send", _session.Socket, $"{data.Length} bytes", $"{data.Length}", data);
        }
    }

    /// <summary>After the input: each line (or hex-dump line) that comes back, until the peer is quiet for -Timeout or closes.</summary>
    private void ReturnReplies()
    {
        var session = _session!;
        var quiet = TimeSpan.FromSeconds(Timeout);
        string ending = $"quiet for {Timeout} s";
        var lastHeard = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var left = quiet - lastHeard.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                break;
            }
            var arrival = session.Next(left < s_look * 4 ? left : s_look * 4, StopToken);
            if (arrival is null)
            {
                continue;
            }
            if (arrival.Kind == SessionArrivalKind.Closed)
            {
                ending = "the peer closed the connection";
                break;
            }
            lastHeard.Restart();
            if (TransferWanted)
            {
                WriteTransfer(session.Socket.IsDatagram ? "recvfrom" : "recv", session.Socket, "65536", $"{arrival.Data.Length}", arrival.Data);
            }
            Emit(arrival);
        }
        if (_partialLine.Length > 0)
        {
            WriteObject(_partialLine);
        }
        if (VerboseWanted)
        {
            Verbose(session.Summary(ending).ToString());
        }
    }

    private void Emit(SessionArrival arrival)
    {
        if (arrival.Kind == SessionArrivalKind.Text && arrival.From is null)
        {
            string text = _partialLine + arrival.Text;
            int lastNewLine = text.LastIndexOf('\n');
            _partialLine = text[(lastNewLine + 1)..];
            foreach (string line in SessionText.SplitLines(text[..(lastNewLine + 1)]))
            {
                WriteObject(line);
            }
            return;
        }
        if (_partialLine.Length > 0)
        {
            WriteObject(_partialLine);
            _partialLine = string.Empty;
        }
        if (arrival.Kind == SessionArrivalKind.Notice)
        {
            WriteWarning(arrival.Text);
            return;
        }
        foreach (string line in arrival.Lines())
        {
            WriteObject(line); // a datagram's text lines, or the hex dump's lines
        }
    }

    /// <summary>The host's raw UI when it can tell of and read keys; otherwise the clear error (piped input needs none).</summary>
    private PSHostRawUserInterface KeyReader()
    {
        PSHostRawUserInterface? raw = null;
        string why;
        try
        {
            raw = Host.UI.RawUI;
            _ = raw?.KeyAvailable;
            why = raw is null ? "it has no raw user interface" : string.Empty;
        }
        catch (Exception e) when (e is NotImplementedException or NotSupportedException or InvalidOperationException or PSNotImplementedException or HostException or System.IO.IOException)
        {
            why = e.Message;
        }
        if (raw is null || why.Length > 0)
        {
            ThrowTerminatingError(new ErrorRecord(new PSInvalidOperationException(
                $"Enter-SocketSession reads the keyboard, and this host ({Host.Name}) cannot: {why} "
                + "Pipe the lines to send instead: \"PING\" | Enter-SocketSession $s -Timeout 2."),
                "HostCannotReadKeys", ErrorCategory.NotImplemented, Host.Name));
        }
        return raw!;
    }

    internal void Tell(string text) => Host.UI.Write(text);

    internal System.Threading.CancellationToken SessionToken => StopToken;
}
