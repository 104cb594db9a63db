using System;
using Xunit;

namespace PsSockets.Core.Tests;

/// <summary>Proxy addresses as ncat --proxy and curl write them; a password never shows.</summary>
public sealed class ProxyAddressTests
{
    [Theory]
    [InlineData("socks5://127.0.0.1:9050", ProxyProtocol.Socks5, "127.0.0.1", 9050, "socks5://127.0.0.1:9050")]
    [InlineData("socks5://proxy.example", ProxyProtocol.Socks5, "proxy.example", 1080, "socks5://proxy.example:1080")]
    [InlineData("SOCKS5H://[::1]:1081/", ProxyProtocol.Socks5, "::1", 1081, "socks5://[::1]:1081")]
    [InlineData("http://127.0.0.1", ProxyProtocol.Http, "127.0.0.1", 8080, "http://127.0.0.1:8080")]
    [InlineData("http://[::1]:3128", ProxyProtocol.Http, "::1", 3128, "http://[::1]:3128")]
    public void ReadsSchemeHostAndPortWithTheDefaultPorts(string text, ProxyProtocol protocol, string host, int port, string shown)
    {
        var proxy = ProxyAddress.Parse(text);
        Assert.Equal((protocol, host, port, (string?)null), (proxy.Protocol, proxy.Host, proxy.Port, proxy.UserName));
        Assert.Equal(shown, proxy.ToString());
    }

    [Fact]
    public void ReadsPercentEncodedCredentialsAndShowsOnlyTheUser()
    {
        var proxy = ProxyAddress.Parse("socks5://al%40ice:p%3Ass@w/rd@127.0.0.1:1080");
        Assert.Equal("al@ice", proxy.UserName);
        Assert.Equal("p:ss@w/rd", proxy.Credential!.Password);
        Assert.Equal("socks5://al%40ice@127.0.0.1:1080", proxy.ToString());
        Assert.Equal("", proxy.WithoutPassword().Credential!.Password);
    }

    [Fact]
    public void AUserWithoutAPasswordHasAnEmptyOne()
    {
        var proxy = ProxyAddress.Parse("http://bob@127.0.0.1:3128");
        Assert.Equal(("bob", ""), (proxy.UserName, proxy.Credential!.Password));
    }

    [Theory]
    [InlineData("127.0.0.1:1080", "it has no scheme")]
    [InlineData("ftp://u:secret@127.0.0.1:21", "the scheme 'ftp' is not supported")]
    [InlineData("https://u:secret@127.0.0.1", "the scheme 'https' is not supported")]
    [InlineData("socks4://u:secret@127.0.0.1", "the scheme 'socks4' is not supported")]
    [InlineData("http://u:secret@127.0.0.1:8080/path", "no path")]
    [InlineData("http://u:secret@127.0.0.1:0", "port 0")]
    [InlineData("http://u:secret@127.0.0.1:http", "'http' is not a port")]
    [InlineData("socks5://:secret@127.0.0.1", "no user name")]
    [InlineData("socks5://u:secret@", "no host")]
    [InlineData("socks5://u:secret@unix:abc", "no host")]
    public void SaysWhatIsWrongAndNeverShowsThePassword(string text, string why)
    {
        var e = Assert.Throws<SocketOperationException>(() => ProxyAddress.Parse(text));
        Assert.Equal(SocketFailure.InvalidArgument, e.Failure);
        Assert.Contains(why, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", e.Target?.ToString() ?? "", StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("socks5://u:secret@h:1", "socks5://u:***@h:1")]
    [InlineData("socks5://u:se/cr@et@h:1/x", "socks5://u:***@h:1/x")]
    [InlineData("socks5://u@h:1", "socks5://u@h:1")]
    [InlineData("socks5://h:1", "socks5://h:1")]
    [InlineData("u:secret@h", "u:***@h")]
    public void RedactsThePasswordOfAnyText(string text, string redacted) => Assert.Equal(redacted, ProxyAddress.Redact(text));
}
