using System;
using System.Management.Automation;
using System.Net;

namespace PsSockets.Commands;

/// <summary>
/// Lets an endpoint parameter take every form an endpoint has: the text form ('127.0.0.1:53', '[::1]:53',
/// 'unix:/run/app.sock'), an EndPoint object, a received datagram (its sender) or a resolved address.
/// </summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class EndPointTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) =>
        (inputData is PSObject pso ? pso.BaseObject : inputData) switch
        {
            null or EndPointText => inputData,
            EndPoint endPoint => EndPointText.FromEndPoint(endPoint),
            Datagram { RemoteEndPoint: { } sender } => EndPointText.FromEndPoint(sender),
            Datagram => throw new ArgumentTransformationMetadataException(
                "The datagram came from an unnamed unix socket (one bound to no path or name), which cannot be answered."),
            ResolvedAddress resolved => EndPointText.FromEndPoint(resolved.EndPoint),
            string text => Parse(text),
            var other => throw new ArgumentTransformationMetadataException(
                $"Cannot use a {other.GetType().Name} as an endpoint: give 'host:port', '[::1]:port', 'unix:/path' or an EndPoint object."),
        };

    private static EndPointText Parse(string text)
    {
        try
        {
            return EndPointText.Parse(text);
        }
        catch (SocketOperationException e)
        {
            throw new ArgumentTransformationMetadataException(e.Message, e);
        }
    }
}
