using Xunit;

namespace PsSockets.Core.Tests;

/// <summary>Endpoints read back in the form they print in.</summary>
public sealed class EndPointTextTests
{
    [Theory]
    [InlineData("127.0.0.1:80", "127.0.0.1", 80, null)]
    [InlineData("[::1]:8080", "::1", 8080, null)]
    [InlineData("[::1]", "::1", null, null)]
    [InlineData("::1", "::1", null, null)]
    [InlineData("fe80::1%2", "fe80::1%2", null, null)]
    [InlineData("db01", "db01", null, null)]
    [InlineData("db01:5432", "db01", 5432, null)]
    [InlineData("unix:/run/app.sock", null, null, "/run/app.sock")]
    [InlineData("unix:@abstract", null, null, "@abstract")]
    [InlineData("unix:80", "unix", 80, null)]
    public void ReadsEveryFormThatPrints(string text, string? host, int? port, string? path)
    {
        Assert.Equal(new EndPointText(host, port, path), EndPointText.Parse(text));
    }

    [Theory]
    [InlineData("db01:http", "'http' is not a port")]
    [InlineData("db01:70000", "'70000' is not a port")]
    [InlineData("[::1", "has no ']'")]
    [InlineData("[::1]80", "only ':' and a port may follow ']'")]
    [InlineData("unix:", "needs a path")]
    [InlineData("db01:", "'' is not a port")]
    [InlineData(":80", "no host before the port")]
    [InlineData("[]:80", "no address between the brackets")]
    public void SaysWhatIsWrongWithTheRest(string text, string why)
    {
        var e = Assert.Throws<SocketOperationException>(() => EndPointText.Parse(text));
        Assert.Equal(SocketFailure.InvalidArgument, e.Failure);
        Assert.Contains(why, e.Message, System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:80")]
    [InlineData("[::1]:8080")]
    [InlineData("db01:5432")]
    [InlineData("db01")]
    [InlineData("::1")]
    [InlineData("unix:/run/app.sock")]
    [InlineData("unix:@abstract")]
    public void PrintsInTheFormItWasReadFrom(string text)
    {
        Assert.Equal(text, EndPointText.Parse(text).ToString());
        Assert.Equal(EndPointText.Parse(text), EndPointText.Parse(EndPointText.Parse(text).ToString()));
    }

    [Fact]
    public void AnEndPointObjectIsKeptExactAndPrintsAsEndpointsDo()
    {
        var mapped = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("::ffff:127.0.0.1"), 53);
        var text = EndPointText.FromEndPoint(mapped);
        Assert.Same(mapped, text.Exact);
        Assert.Equal(53, text.Port);
        Assert.Equal("127.0.0.1:53", text.ToString());

        var unix = new System.Net.Sockets.UnixDomainSocketEndPoint("/tmp/x.sock");
        Assert.Equal("/tmp/x.sock", EndPointText.FromEndPoint(unix).UnixPath);
        Assert.Equal("unix:/tmp/x.sock", EndPointText.FromEndPoint(unix).ToString());
    }
}
