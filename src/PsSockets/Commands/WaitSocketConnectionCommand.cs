using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>accept(): waits for the next connection on a listener and emits the connected socket.</summary>
[Cmdlet(VerbsLifecycle.Wait, "SocketConnection")]
[OutputType(typeof(PsSocket))]
public sealed class WaitSocketConnectionCommand : SocketCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    [Alias("Socket")]
    public PsSocket Listener { get; set; } = null!;

    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    protected override void Process()
    {
        PsSocket accepted;
        try
        {
            accepted = Registry.Add(Listener.Accept(Name, BoundTimeout(Timeout), StopToken));
        }
        catch (SocketOperationException e) when (e.Failure == SocketFailure.WouldBlock)
        {
            // A non-blocking listener with no connection waiting: nothing, at once, as accept's EWOULDBLOCK.
            Verbose($"{Listener} is non-blocking and no connection is waiting: nothing to output.");
            return;
        }
        if (Listener.TlsServer is { } tls && !Secure(accepted, tls))
        {
            return;
        }
        WriteObject(accepted);
    }

    /// <summary>A TLS listener's handshake, within the same -Timeout; a client that fails it is closed and reported, and the listener goes on.</summary>
    private bool Secure(PsSocket accepted, TlsServerSettings tls)
    {
        try
        {
            accepted.AuthenticateAsServer(tls, BoundTimeout(Timeout), StopToken);
            return true;
        }
        catch (SocketOperationException e)
        {
            accepted.Close(abort: true);
            WriteSocketError(e);
            return false;
        }
        catch
        {
            accepted.Close(abort: true);
            throw;
        }
    }
}
