using System.Management.Automation;
using System.Net.Sockets;

namespace PsSockets.Commands;

/// <summary>getaddrinfo(): host names to every address they have, in the resolver's order, with a port as endpoints.</summary>
[Cmdlet(VerbsDiagnostic.Resolve, "SocketAddress")]
[OutputType(typeof(ResolvedAddress))]
public sealed class ResolveSocketAddressCommand : SocketCmdlet
{
    /// <summary>Host names or address literals (127.0.0.1, ::1, [::1]).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("HostName")]
    [ValidateNotNullOrEmpty]
    public string[] ComputerName { get; set; } = [];

    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0, 65535)]
    public int Port { get; set; }

    [Parameter]
    [ValidateSet(nameof(System.Net.Sockets.AddressFamily.Unspecified), nameof(System.Net.Sockets.AddressFamily.InterNetwork), nameof(System.Net.Sockets.AddressFamily.InterNetworkV6))]
    public AddressFamily AddressFamily { get; set; } = AddressFamily.Unspecified;

    /// <summary>How long one name may take to resolve.</summary>
    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; }

    protected override void Process()
    {
        foreach (string name in ComputerName)
        {
            try
            {
                var target = EndPointText.Parse(name);
                if (target.UnixPath is not null || (IsBound(nameof(Port)) && target.Port is not null))
                {
                    throw new SocketOperationException(SocketFailure.InvalidArgument, target.UnixPath is not null
                        ? $"Cannot resolve '{name}': a unix socket path has no addresses to look up."
                        : $"Cannot resolve {EndPointText.PortGivenTwice(name)}", name);
                }
                int port = target.Port ?? Port;
                if (VerboseWanted && System.Net.IPAddress.TryParse(target.Host ?? name, out _))
                {
                    Verbose($"No getaddrinfo for {name}: an address literal is its own address.");
                }
                WriteObject(AddressResolver.ResolveEndPoints(target.Host ?? name, port, AddressFamily, BoundTimeout(Timeout), StopToken), enumerateCollection: true);
            }
            catch (SocketOperationException e)
            {
                WriteSocketError(e); // one name that does not resolve does not stop the others
            }
        }
    }
}
