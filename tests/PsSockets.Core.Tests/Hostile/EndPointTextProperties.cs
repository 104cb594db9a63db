using System;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using CsCheck;
using Xunit;

namespace PsSockets.Core.Tests.Hostile;

/// <summary>
/// The endpoint parser (every -To, -ComputerName 'host:port', relay and proxy endpoint) under random and
/// near-valid text: a clear InvalidArgument or an endpoint that prints back to itself, and every endpoint
/// the module prints reads back as the same endpoint. Nothing here resolves a name.
/// </summary>
public sealed class EndPointTextProperties
{
    private static readonly Gen<string> Near = Gen.String[Gen.Char["[]:0123456789abcdef.%@/unix \0\t-+é😀"], 0, 30];

    private static readonly Gen<string> AnyText = Gen.OneOf(
        Near,
        Gen.String[0, 30],
        Gen.Select(Gen.OneOf("unix:", "UNIX:", "[", "[::1]", "host", "::1", "127.0.0.1", "@", ""), Near).Select((a, b) => a + b),
        Gen.Select(Gen.Char, Gen.Int[1000, 20_000]).Select((c, n) => new string(c, n)));

    [Theory]
    [InlineData("[::1]:")]
    [InlineData("host:99999")]
    [InlineData("host:65536")]
    [InlineData("host:-1")]
    [InlineData("host:+80")]
    [InlineData("host: 80")]
    [InlineData("host:８０")]
    [InlineData("host:99999999999999999999")]
    [InlineData("unix:")]
    [InlineData("[")]
    [InlineData("[]")]
    [InlineData("[::1]x")]
    [InlineData(":")]
    [InlineData("[x:1]")]
    [InlineData("[db01]:80")]
    [InlineData("[127.0.0.1]:80")]
    public void NearValidTextIsAClearError(string text)
    {
        var e = Assert.Throws<SocketOperationException>(() => EndPointText.Parse(text));
        Assert.Equal(SocketFailure.InvalidArgument, e.Failure);
        Assert.Equal(text, e.Target);
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("::1:80", "::1:80", null)] // an IPv6 address (0:0:0:0:0:0:1:80), no port: a port needs the brackets
    [InlineData("@", "@", null)]
    [InlineData("[fe80::1%2]:80", "fe80::1%2", 80)]
    [InlineData("unix:80", "unix", 80)]
    public void AmbiguousLookingTextReadsOneDocumentedWay(string text, string host, int? port)
    {
        Assert.Equal(new EndPointText(host, port, null), EndPointText.Parse(text));
    }

    [Fact]
    public void AnyTextIsAClearErrorOrAnEndPointThatPrintsBackToItself()
    {
        AnyText.Sample(text =>
        {
            EndPointText parsed;
            try
            {
                parsed = EndPointText.Parse(text);
            }
            catch (SocketOperationException e)
            {
                Assert.Equal(SocketFailure.InvalidArgument, e.Failure);
                return;
            }
            Assert.True(parsed.Host is null != (parsed.UnixPath is null), $"'{text}' read as {parsed}");
            Assert.True(parsed.Port is null or (>= 0 and <= 65535));
            Assert.Equal(parsed, EndPointText.Parse(parsed.ToString()));
            if (parsed.UnixPath is { } path)
            {
                UnixPathReadsBack(path);
            }
        }, iter: Runs.Of(10_000));
    }

    [Fact]
    public void EveryIpEndPointPrintsAndReadsBackAsItself()
    {
        var v4 = Gen.UInt.Select(a => new IPAddress(a));
        var v6 = Gen.Select(Gen.Byte.Array[16], Gen.OneOf(Gen.Const(0L), Gen.Long[0, uint.MaxValue]))
            .Select((bytes, scope) => new IPAddress(bytes, (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80) ? scope : 0));
        Gen.Select(Gen.OneOf(v4, v6), Gen.Int[0, 65535]).Sample((address, port) =>
        {
            var endPoint = new IPEndPoint(address, port);
            string printed = PsSocket.FormatEndPoint(endPoint);
            var read = EndPointText.Parse(printed);
            Assert.Equal(port, read.Port);
            var expected = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address; // an IPv4 peer of a dual-mode socket prints as IPv4
            Assert.Equal(expected, IPAddress.Parse(read.Host!)); // IPv6 with its scope id
            Assert.Equal(printed, EndPointText.FromEndPoint(endPoint).ToString());
        }, iter: Runs.Of(10_000));
    }

    [Fact]
    public void EveryUnixPathPrintsAndReadsBackAsItself()
    {
        var path = Gen.OneOf(
            Gen.String[Gen.Char['!', '~'], 1, 100].Select(p => "/tmp/" + p),
            Gen.String[Gen.Char['!', '~'], 1, 100].Select(p => "@" + p),
            Gen.String[1, 60]);
        path.Sample(p =>
        {
            var read = EndPointText.Parse("unix:" + p);
            Assert.Equal(p.All(char.IsAsciiDigit) ? new EndPointText("unix", int.Parse(p, CultureInfo.InvariantCulture), null) : new EndPointText(null, null, p), read);
            UnixPathReadsBack(p);
        }, iter: Runs.Of(10_000));
    }

    /// <summary>A unix path is a clear error, or an endpoint that prints as unix:path and reads back as the same endpoint.</summary>
    private static void UnixPathReadsBack(string path)
    {
        UnixDomainSocketEndPoint endPoint;
        try
        {
            endPoint = UnixSocketPath.EndPoint(path);
        }
        catch (SocketOperationException e)
        {
            Assert.Equal(SocketFailure.InvalidArgument, e.Failure);
            return;
        }
        string printed = PsSocket.FormatEndPoint(endPoint);
        var read = EndPointText.Parse(printed);
        Assert.Equal(printed, read.ToString());
        Assert.Equal(Where(endPoint), Where(UnixSocketPath.EndPoint(read.UnixPath!)));
    }

    /// <summary>The socket file (in full: "80" and "./80" are one file) or the abstract name an endpoint stands for.</summary>
    private static string Where(UnixDomainSocketEndPoint endPoint) =>
        endPoint.ToString() is var path && path.StartsWith('@') ? path : System.IO.Path.GetFullPath(path);
}
