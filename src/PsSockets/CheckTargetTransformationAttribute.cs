using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Net;

namespace PsSockets.Commands;

/// <summary>
/// Lets Test-SocketConnection take what it should check as well as names: a socket (its peer, or the address a
/// listener listens on), an IPEndPoint, or a list of them, each as 'address:port'.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class CheckTargetTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = Unwrap(inputData);
        return value switch
        {
            PsSocket or IPEndPoint => new[] { ToText(value) },
            IEnumerable items and not string when items.Cast<object?>().Select(Unwrap).Any(i => i is PsSocket or IPEndPoint) =>
                items.Cast<object?>().Select(i => Unwrap(i) is PsSocket or IPEndPoint ? ToText(Unwrap(i)) : i).ToArray(),
            _ => inputData,
        };
    }

    private static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;

    private static string ToText(object? value) => value switch
    {
        PsSocket { RemoteEndPoint: IPEndPoint remote } => PsSocket.FormatEndPoint(remote),
        PsSocket { LocalEndPoint: IPEndPoint local } => PsSocket.FormatEndPoint(Reachable(local)),
        PsSocket socket => throw new ArgumentTransformationMetadataException(
            $"Cannot check {socket}: it has no TCP address to connect to (a unix socket, or a socket neither bound nor connected)."),
        IPEndPoint endPoint => PsSocket.FormatEndPoint(endPoint),
        _ => throw new ArgumentTransformationMetadataException($"Cannot check a {value?.GetType().Name ?? "null"}."),
    };

    /// <summary>A listener on every address (0.0.0.0, ::) is checked through loopback, as a local client reaches it.</summary>
    private static IPEndPoint Reachable(IPEndPoint local) =>
        local.Address.Equals(IPAddress.Any) ? new IPEndPoint(IPAddress.Loopback, local.Port)
        : local.Address.Equals(IPAddress.IPv6Any) ? new IPEndPoint(IPAddress.IPv6Loopback, local.Port)
        : local;
}
