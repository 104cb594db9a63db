using System.Management.Automation;
using System.Net.Sockets;

namespace PsSockets.Commands;

/// <summary>connect(): to a host and port, trying every address the name resolves to.</summary>
[Cmdlet(VerbsCommunications.Connect, "Socket")]
[OutputType(typeof(PsSocket))]
public sealed class ConnectSocketCommand : SocketCmdlet
{
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    [Alias("HostName", "Host", "Address")]
    public string ComputerName { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    [Parameter(ValueFromPipeline = true)]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket? Socket { get; set; }

    [Parameter]
    [ValidateSet(nameof(System.Net.Sockets.AddressFamily.Unspecified), nameof(System.Net.Sockets.AddressFamily.InterNetwork), nameof(System.Net.Sockets.AddressFamily.InterNetworkV6))]
    public AddressFamily AddressFamily { get; set; } = AddressFamily.Unspecified;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter]
    public SwitchParameter NoDelay { get; set; }

    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; }

    protected override void Process()
    {
        var options = new SocketOptions { Name = Name, NoDelay = NoDelay };
        var connected = SocketFactory.Connect(ComputerName, Port, Socket, AddressFamily, options, BoundTimeout(Timeout), StopToken);
        if (Socket is not null && Name is not null)
        {
            connected.Name = Name;
        }
        WriteVerbose($"Connected {connected}.");
        WriteObject(Registry.Add(connected));
    }
}
