using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>Resolve-SocketAddress: what python3's getaddrinfo says, in the same order, as endpoints.</summary>
public sealed class ResolveSocketAddressTests(PsSession ps) : SocketTestBase(ps)
{
    private static readonly string[] Names = ["localhost", "127.0.0.1", "::1", "nonexistent.invalid"];

    [Theory]
    [InlineData("any", "Unspecified")]
    [InlineData("inet", "InterNetwork")]
    [InlineData("inet6", "InterNetworkV6")]
    public void GivesWhatPythonsGetaddrinfoGivesInTheSameOrder(string pythonFamily, string family)
    {
        var expected = PythonGetaddrinfo(pythonFamily, 8080);

        foreach (string name in Names)
        {
            var result = Ps.Run("Resolve-SocketAddress $args[0] 8080 -AddressFamily $args[1] | ForEach-Object { \"$($_.Address)|$($_.Port)|$($_.HostName)\" }", name, family);
            if (expected[name] is { } addresses)
            {
                Assert.Equal(addresses.Select(a => $"{a}|8080|{name}"), result.Ok().Values.Cast<string>());
            }
            else
            {
                Assert.Empty(result.Output);
                Assert.Equal("HostNotFound,PsSockets.Commands.ResolveSocketAddressCommand", result.OnlyError.FullyQualifiedErrorId);
                Assert.Equal(name, result.OnlyError.TargetObject);
            }
        }
    }

    [Fact]
    public void EndpointsPrintInTheOneFormAndConnectAsTheyAre()
    {
        var result = Ps.Run("""
            $l = Start-SocketListener -Port 0
            $r = Resolve-SocketAddress '[::1]', '127.0.0.1' -Port $l.LocalEndPoint.Port
            "$($r[0])"; $r[0].AddressFamily
            $c = [System.Net.Sockets.Socket]::new('InterNetwork', 'Stream', 'Tcp')
            $c.Connect($r[1].EndPoint)
            (Wait-SocketConnection $l -Timeout 5).State
            $c.Dispose()
            """).Ok();
        string port = Ps.Run("$l.LocalEndPoint.Port").Ok().Single!.ToString()!;
        Assert.Equal(new object?[] { $"[::1]:{port}", System.Net.Sockets.AddressFamily.InterNetworkV6, "Connected" }, result.Values.Select(v => v is Enum e && e.GetType().Name == "SocketState" ? e.ToString() : v));
    }

    [Fact]
    public void ANameThatDoesNotResolveIsOneErrorAndTheOthersStillCome()
    {
        var result = Ps.Run("'nonexistent.invalid', '127.0.0.1', '127.0.0.1' | Resolve-SocketAddress -Port 7 | ForEach-Object { \"$_\" }");
        Assert.Equal(new object?[] { "127.0.0.1:7", "127.0.0.1:7" }, result.Values);
        Assert.Equal(ErrorCategory.ObjectNotFound, result.OnlyError.CategoryInfo.Category);
        Assert.Contains("nonexistent.invalid", result.OnlyError.ToString());
    }

    [Fact]
    public void AnAddressOfTheOtherFamilyIsAClearError()
    {
        var result = Ps.Run("Resolve-SocketAddress 127.0.0.1 -AddressFamily InterNetworkV6");
        Assert.Equal("HostNotFound,PsSockets.Commands.ResolveSocketAddressCommand", result.OnlyError.FullyQualifiedErrorId);
        Assert.Contains("no address of family InterNetworkV6", result.OnlyError.ToString());
    }

    [Fact]
    public void APortOutOfRangeIsRefusedAtBinding()
    {
        var result = Ps.Run("Resolve-SocketAddress localhost 65536");
        Assert.Contains("ParameterArgumentValidationError", result.Describe());
    }

    private static Dictionary<string, string[]?> PythonGetaddrinfo(string family, int port)
    {
        using var python = PythonPeer.Start("getaddrinfo.py", [family, port.ToString(System.Globalization.CultureInfo.InvariantCulture), .. Names]);
        return JsonSerializer.Deserialize<Dictionary<string, string[]?>>(python.ReadLine(TimeSpan.FromSeconds(20)))!;
    }
}
