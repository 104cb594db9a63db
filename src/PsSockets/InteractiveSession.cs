using System;
using System.Management.Automation.Host;
using PsSockets.Commands;

namespace PsSockets;

/// <summary>
/// Enter-SocketSession at the keyboard: one loop on the pipeline thread looks at the socket for a few tens of
/// milliseconds, then at the host's keys, so every host call happens on the thread that may make it. A stop
/// (Ctrl+C) ends the socket wait at once; the summary is still written, then the stop goes on.
/// </summary>
internal sealed class InteractiveSession
{
    private const char CtrlC = '\u0003';
    private const char CtrlD = '\u0004';
    private const char CtrlU = '\u0015';
    private static readonly TimeSpan s_look = TimeSpan.FromMilliseconds(25);

    private readonly EnterSocketSessionCommand _command;
    private readonly SocketSession _session;
    private readonly PSHostRawUserInterface _keys;
    private readonly SessionScreen _screen;

    public InteractiveSession(EnterSocketSessionCommand command, SocketSession session, PSHostRawUserInterface keys)
    {
        _command = command;
        _session = session;
        _keys = keys;
        _screen = new SessionScreen(command.Prompt);
    }

    public void Run()
    {
        _command.Tell(Greeting() + "\r\n" + _screen.Redraw());
        string ending = "Ctrl+C";
        try
        {
            ending = Loop();
        }
        catch (OperationCanceledException)
        {
            End("^C", ending);
            throw;
        }
        catch (SocketOperationException e)
        {
            End(string.Empty, e.Failure.ToString());
            throw;
        }
        End(string.Empty, ending);
    }

    private string Greeting()
    {
        var socket = _session.Socket;
        string newLine = EscapedText.Of(System.Text.Encoding.UTF8.GetBytes(_session.NewLine));
        string with = socket.RemoteEndPoint is { } remote ? $"with {PsSocket.FormatEndPoint(remote)}"
            : $"on {PsSocket.FormatEndPoint(socket.LocalEndPoint)}: each line answers the last sender";
        string what = socket.IsDatagram ? "each line is one datagram, ending in" : "lines end with";
        return $"Session on #{socket.Id} {with} ({what} {newLine}). Ctrl+D on an empty line or Ctrl+C leaves.";
    }

    private void End(string mark, string ending)
    {
        _command.Tell(mark + _screen.Leave() + _session.Summary(ending) + "\r\n");
    }

    /// <summary>Runs until the peer closes or the user leaves; says which.</summary>
    private string Loop()
    {
        while (true)
        {
            if (_session.Next(s_look, _command.SessionToken) is { } arrival)
            {
                if (arrival.Kind == SessionArrivalKind.Closed)
                {
                    _command.Tell(_screen.Last(["The peer closed the connection."]));
                    return "the peer closed the connection";
                }
                Show(arrival);
            }
            while (_keys.KeyAvailable)
            {
                if (Key(_keys.ReadKey(ReadKeyOptions.NoEcho | ReadKeyOptions.IncludeKeyDown)) is { } leaving)
                {
                    return leaving;
                }
            }
        }
    }

    private void Show(SessionArrival arrival)
    {
        string text = arrival switch
        {
            { Kind: SessionArrivalKind.Notice } => _screen.Block([$"! {arrival.Text}"]),
            { From: { } from, Kind: SessionArrivalKind.Binary } => _screen.Block([$"[{PsSocket.FormatEndPoint(from)}] {arrival.Data.Length} bytes:", .. arrival.Lines()]),
            { From: { } from } => _screen.Block(Array.ConvertAll(Lines(arrival), line => $"[{PsSocket.FormatEndPoint(from)}] {line}")),
            { Kind: SessionArrivalKind.Binary } => _screen.Block(arrival.Lines()),
            _ => _screen.Arrived(arrival.Text),
        };
        _command.Tell(text);
    }

    private static string[] Lines(SessionArrival arrival) => arrival.Lines() is { Length: > 0 } lines ? lines : [string.Empty];

    /// <summary>One key; the reason to leave when it leaves.</summary>
    private string? Key(KeyInfo key)
    {
        char c = key.Character;
        if (c == CtrlC)
        {
            _command.Tell("^C");
            return "Ctrl+C"; // a host that hands Ctrl+C over as a key rather than as a stop
        }
        if (c == CtrlD)
        {
            return _screen.Input.Length == 0 ? "Ctrl+D" : null;
        }
        if (c is '\r' or '\n' || key.VirtualKeyCode == 13)
        {
            _command.Tell(_screen.Enter(out string line));
            SendLine(line);
            return null;
        }
        string echo = c switch
        {
            '\b' or '\u007f' => _screen.Backspace(),
            CtrlU => _screen.ClearInput(),
            _ when key.VirtualKeyCode == 8 => _screen.Backspace(),
            '\t' => _screen.Typed(c),
            _ when !char.IsControl(c) && c != '\0' => _screen.Typed(c),
            _ => string.Empty, // arrows and other keys: this line editor has no cursor moves
        };
        _command.Tell(echo);
        return null;
    }

    private void SendLine(string line)
    {
        try
        {
            _session.SendLine(line, null, _command.SessionToken);
        }
        catch (SocketOperationException e) when (_session.Socket.IsDatagram && e.Failure == SocketFailure.NotConnected)
        {
            _command.Tell(_screen.Block([$"! {e.Message}"]));
            return;
        }
        _command.Tell(_screen.Redraw());
    }
}
