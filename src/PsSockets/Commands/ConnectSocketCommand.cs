using System.Management.Automation;
using System.Net.Sockets;

namespace PsSockets.Commands;

/// <summary>connect(): to a host and port, trying every address the name resolves to.</summary>
[Cmdlet(VerbsCommunications.Connect, "Socket", DefaultParameterSetName = HostSet)]
[OutputType(typeof(PsSocket))]
public sealed class ConnectSocketCommand : SocketCmdlet
{
    private const string HostSet = "Host";
    private const string PathSet = "Path";

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = HostSet)]
    [ValidateNotNullOrEmpty]
    [Alias("HostName", "Host", "Address")]
    public string ComputerName { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1, ParameterSetName = HostSet)]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    [Parameter(ValueFromPipeline = true, ParameterSetName = HostSet)]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket? Socket { get; set; }

    [Parameter(ParameterSetName = HostSet)]
    [ValidateSet(nameof(System.Net.Sockets.AddressFamily.Unspecified), nameof(System.Net.Sockets.AddressFamily.InterNetwork), nameof(System.Net.Sockets.AddressFamily.InterNetworkV6))]
    public AddressFamily AddressFamily { get; set; } = AddressFamily.Unspecified;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(ParameterSetName = HostSet)]
    public SwitchParameter NoDelay { get; set; }

    /// <summary>A unix domain socket path to connect to, or "@name" for a Linux abstract name.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; }

    protected override void Process()
    {
        var options = new SocketOptions { Name = Name, NoDelay = NoDelay };
        var connected = ParameterSetName == PathSet
            ? SocketFactory.ConnectUnix(FileArguments.UnixSocket(this, Path), options, BoundTimeout(Timeout), StopToken)
            : SocketFactory.Connect(ComputerName, Port, Socket, AddressFamily, options, BoundTimeout(Timeout), StopToken);
        if (Socket is not null && Name is not null)
        {
            connected.Name = Name;
        }
        WriteVerbose($"Connected {connected}.");
        WriteObject(Registry.Add(connected));
    }
}
