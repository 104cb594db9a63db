using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// Hostile pipeline input: every exported cmdlet, each parameter that takes the pipeline (listed from
/// Get-Command, so a new cmdlet is covered without a change here), gets $null, @(), @($null), an object of
/// the wrong shape, a number, a string, a closed socket and sockets of the wrong kind. Each run is bounded
/// in time, ends in output or a clear ErrorRecord (a binding error or the module's own id, never a .NET
/// exception passed through), and leaves an unrelated connected pair working. The important cmdlets'
/// answers are pinned to their error ids.
/// </summary>
public sealed class PipelineInputTests(PsSession ps) : SocketTestBase(ps)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(15);

    /// <summary>What each case pipes, as PowerShell text. Sockets are made fresh per case: some cmdlets close what they get.</summary>
    private static readonly (string Name, string Value)[] Values =
    [
        ("null", "$null"),
        ("empty array", "@()"),
        ("array of null", "@($null)"),
        ("wrong shape", "[pscustomobject]@{ Wrong = 1; Id = 'x' }"),
        ("number", "2147483000"), // no socket, relay or server has this id
        ("string", "'no-such-thing'"),
        ("closed socket", "$(New-Socket | ForEach-Object { Close-Socket $_; $_ })"),
        ("listener", "(Start-SocketListener -Port 0)"),
        ("datagram socket", "(New-Socket -Type Dgram -LocalPort 0)"),
        ("connected socket", "(New-SocketPair)[0]"),
    ];

    /// <summary>
    /// A host name parameter turns any object into text and looks it up: a socket's description or an object's
    /// text would go to the DNS server, which no test may reach. A cmdlet with one gets values that stay on this
    /// machine, and no socket (except Test-SocketConnection, which checks a socket's own endpoint).
    /// </summary>
    private static readonly Dictionary<string, string> HostValues = new()
    {
        ["wrong shape"] = "[pscustomobject]@{ ComputerName = 'localhost'; Port = 'not-a-port' }",
        ["number"] = "2130706433", // 127.0.0.1 as one number
        ["string"] = "'localhost'",
    };

    /// <summary>The rest of the command line each cmdlet needs to run with piped input; short time limits where it would wait.</summary>
    private static readonly Dictionary<string, string> Companions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Connect-Socket"] = "127.0.0.1 $port -Timeout 1",
        ["ConvertFrom-SocketBytes"] = "'!H'",
        ["ConvertTo-SocketBytes"] = "'!H'",
        ["Get-SocketOption"] = "-Name NoDelay",
        ["Invoke-SocketRequest"] = "-Socket $scratch -Count 1 -Timeout 0.2",
        ["Protect-Socket"] = "-ServerName localhost -Timeout 0.5",
        ["Receive-SocketData"] = "-Timeout 0.2",
        ["Select-Socket"] = "-Timeout 0.1",
        ["Send-SocketData"] = "-Socket $scratch -Timeout 1",
        ["Set-SocketOption"] = "-Name NoDelay -Value $true",
        ["Start-SocketListener"] = "-Port 0",
        ["Start-SocketRelay"] = "-Port 0 -Target \"127.0.0.1:$port\"",
        ["Test-SocketConnection"] = "-Timeout 1",
        ["Wait-SocketConnection"] = "-Timeout 0.2",
    };

    private const string Scene = """
        $sentinel = New-SocketPair
        $scratchListener = Start-SocketListener -Port 0
        $port = $scratchListener.LocalEndPoint.Port
        $scratch = Connect-Socket 127.0.0.1 $port
        $keep = @($sentinel[0].Id, $sentinel[1].Id, $scratchListener.Id, $scratch.Id)
        """;

    private const string SentinelWorks = """
        Send-SocketData $sentinel[0] 'ping' -Timeout 5
        Receive-SocketData $sentinel[1] -Count 4 -Timeout 5
        """;

    private const string CleanUp = """
        Get-Socket | Where-Object { $_.Id -notin $keep } | Close-Socket
        Get-SocketRelay | Stop-SocketRelay
        Get-SocketServer | Stop-SocketServer
        while ((Select-Socket -Read $scratchListener -Timeout 0).Read) { Wait-SocketConnection $scratchListener -Timeout 1 | Close-Socket } # Connect-Socket's cases
        """;

    /// <summary>Every cmdlet and pipeline parameter (or, for a cmdlet with none, the cmdlet itself) with its type.</summary>
    private List<(string Command, string? Parameter, string Type)> PipelineParameters()
    {
        var rows = Ps.Run("""
            foreach ($command in Get-Command -Module PsSockets) {
                $piped = @($command.Parameters.Values | Where-Object { $_.ParameterSets.Values | Where-Object { $_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName } })
                if ($piped.Count -eq 0) { "$($command.Name)||" }
                foreach ($p in $piped) { "$($command.Name)|$($p.Name)|$($p.ParameterType.Name)" }
            }
            """).Ok().Values.Cast<string>();
        return rows.Select(r => r.Split('|')).Select(p => (p[0], p[1].Length > 0 ? p[1] : null, p[2])).ToList();
    }

    private static bool IsHostName(string? parameter, string type) =>
        parameter is "ComputerName" or "HostName" && type.StartsWith("String", StringComparison.Ordinal);

    [Fact]
    public void EveryCmdletTakesHostilePipelineInputWithAClearErrorAndHarmsNoOtherSocket()
    {
        var parameters = PipelineParameters();
        Assert.Equal(Ps.Run("(Get-Module PsSockets).ExportedCmdlets.Count").Single, parameters.Select(p => p.Command).Distinct().Count());
        Assert.InRange(parameters.Select(p => p.Command).Distinct().Count(), 24, 200); // every cmdlet, and more as they come
        Ps.Run(Scene).Ok();
        var failures = new List<string>();
        int cases = 0;
        // Per cmdlet, not per parameter: whatever row a value is piped for, it binds where it can, a host name too.
        var lookUpNames = parameters.Where(p => IsHostName(p.Parameter, p.Type)).Select(p => p.Command).ToHashSet();
        foreach (var (command, parameter, type) in parameters)
        {
            bool hostName = lookUpNames.Contains(command);
            foreach (var (name, plain) in Values)
            {
                if (hostName && name.Contains("socket", StringComparison.Ordinal) && command != "Test-SocketConnection")
                {
                    continue; // its text would be looked up in DNS (Test-SocketConnection checks a socket's own endpoint)
                }
                string value = hostName && HostValues.TryGetValue(name, out var safe) ? safe : plain;
                string script = $"{value} | {command} {Companions.GetValueOrDefault(command, string.Empty)}";
                cases++;
                string? problem = Check(script);
                if (problem is not null)
                {
                    failures.Add($"{command} -{parameter ?? "(no pipeline parameter)"} <- {name}: {problem}");
                }
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} cases:\n" + string.Join("\n", failures));
        Assert.InRange(cases, 24 * 6, 1000);
    }

    /// <summary>Runs one case; null when it ended in output or clear errors and the sentinel pair still works.</summary>
    private string? Check(string script)
    {
        ScriptResult result;
        try
        {
            result = Ps.RunWithin(Limit, script);
        }
        catch (TimeoutException)
        {
            Ps.Run(CleanUp);
            return $"hung (stopped after {Limit.TotalSeconds} s): {script}";
        }
        var records = result.Errors.ToList();
        if (result.Exception is IContainsErrorRecord terminating)
        {
            records.Add(terminating.ErrorRecord);
        }
        else if (result.Exception is not null)
        {
            records.Clear();
            return $"{result.Exception.GetType().Name} escaped: {result.Exception.Message} ({script})";
        }
        var unclear = records.Where(r => !IsClear(r)).Select(r => $"{r.FullyQualifiedErrorId} [{r.CategoryInfo.Category}] {r.Exception.GetType().Name}: {r.Exception.Message}").ToList();
        var cleanup = Ps.Run(CleanUp);
        var sentinel = Ps.Run(SentinelWorks);
        if (unclear.Count > 0)
        {
            return $"unclear error(s) from {script}: {string.Join(" | ", unclear)}";
        }
        if (cleanup.Errors.Count > 0 || cleanup.Exception is not null)
        {
            return $"cleaning up after {script} failed: {cleanup.Describe()}";
        }
        return sentinel.Errors.Count == 0 && sentinel.Exception is null && "ping".Equals(sentinel.Single)
            ? null
            : $"the unrelated pair stopped working after {script}: {sentinel.Describe()}";
    }

    /// <summary>A binding error or the module's own: a PascalCase id (no .NET exception type name), a category and a message.</summary>
    private static bool IsClear(ErrorRecord record)
    {
        string id = record.FullyQualifiedErrorId.Split(',')[0];
        return id.Length > 0 && !id.Contains('.', StringComparison.Ordinal) && char.IsUpper(id[0])
            && record.CategoryInfo.Category != ErrorCategory.NotSpecified
            && !string.IsNullOrWhiteSpace(record.Exception.Message);
    }

    // The important cmdlets, pinned: what each piped value gives.

    [Theory]
    [InlineData("$null | Receive-SocketData -Timeout 0.2", "ParameterArgumentValidationErrorNullNotAllowed", "ReceiveSocketDataCommand")]
    [InlineData("@($null) | Receive-SocketData -Timeout 0.2", "ParameterArgumentValidationErrorNullNotAllowed", "ReceiveSocketDataCommand")]
    [InlineData("[pscustomobject]@{ Wrong = 1 } | Receive-SocketData -Timeout 0.2", "InputObjectNotBound", "ReceiveSocketDataCommand")]
    [InlineData("2147483000 | Receive-SocketData -Timeout 0.2", "ParameterArgumentTransformationError", "ReceiveSocketDataCommand")]
    [InlineData("'no-such-thing' | Receive-SocketData -Timeout 0.2", "ParameterArgumentTransformationError", "ReceiveSocketDataCommand")]
    [InlineData("$closed | Receive-SocketData -Timeout 0.2", "SocketClosed", "ReceiveSocketDataCommand")]
    [InlineData("$l | Receive-SocketData -Timeout 0.2", "NotConnected", "ReceiveSocketDataCommand")]
    [InlineData("$udp | Receive-SocketData -Line -Timeout 0.2", "InvalidArgument", "ReceiveSocketDataCommand")]
    [InlineData("$s | Receive-SocketData -LengthPrefix 3", "InvalidLengthPrefixSize", "ReceiveSocketDataCommand")]
    [InlineData("$s | Receive-SocketData -Delimiter @('ab', 'cd') -Timeout 0.2", "InvalidDelimiter", "ReceiveSocketDataCommand")]
    [InlineData("$c | Send-SocketData -Socket $c", "SocketAsData", "SendSocketDataCommand")]
    [InlineData("'x' | Send-SocketData -Socket $closed", "SocketClosed", "SendSocketDataCommand")]
    [InlineData("'x' | Send-SocketData -Socket $l", "NotConnected", "SendSocketDataCommand")]
    [InlineData("'x' | Send-SocketData -Socket $c -LengthPrefix 3", "InvalidLengthPrefixSize", "SendSocketDataCommand")]
    [InlineData("2147483000 | Close-Socket", "ParameterArgumentTransformationError", "CloseSocketCommand")]
    [InlineData("[pscustomobject]@{ Wrong = 1 } | Close-Socket", "InputObjectNotBound", "CloseSocketCommand")]
    [InlineData("$null | Connect-Socket 127.0.0.1 -Timeout 1", "PortMissingOrTwice", "ConnectSocketCommand")] // no socket: a new one, which needs a port
    [InlineData("$l | Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port -Timeout 1", "InvalidArgument", "ConnectSocketCommand")]
    [InlineData("$c | Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port -Timeout 1", "AlreadyConnected", "ConnectSocketCommand")]
    [InlineData("$closed | Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port -Timeout 1", "SocketClosed", "ConnectSocketCommand")]
    [InlineData("[pscustomobject]@{ Wrong = 1 } | Connect-Socket 127.0.0.1 $l.LocalEndPoint.Port -Timeout 1", "InputObjectNotBound", "ConnectSocketCommand")]
    [InlineData("@() | Select-Socket", "NothingToSelect", "SelectSocketCommand")]
    [InlineData("Get-Socket | Where-Object Id -lt 0 | Select-Socket -Read", "NothingToSelect", "SelectSocketCommand")]
    [InlineData("Select-Socket -Read @() -Write @()", "NothingToSelect", "SelectSocketCommand")]
    [InlineData("[pscustomobject]@{ Wrong = 1 } | Select-Socket -Timeout 0.1", "InputObjectNotBound", "SelectSocketCommand")]
    [InlineData("'no-such-thing' | Select-Socket -Timeout 0.1", "ParameterArgumentTransformationError", "SelectSocketCommand")]
    [InlineData("$null | Wait-SocketConnection -Timeout 0.2", "ParameterArgumentValidationErrorNullNotAllowed", "WaitSocketConnectionCommand")]
    [InlineData("$c | Wait-SocketConnection -Timeout 0.2", "NotListening", "WaitSocketConnectionCommand")]
    [InlineData("$udp | Wait-SocketConnection -Timeout 0.2", "NotListening", "WaitSocketConnectionCommand")]
    [InlineData("$closed | Wait-SocketConnection -Timeout 0.2", "SocketClosed", "WaitSocketConnectionCommand")]
    [InlineData("$l | Wait-SocketConnection -Timeout 0.2", "OperationTimeout", "WaitSocketConnectionCommand")]
    [InlineData("$null | ConvertTo-SocketBytes '!H'", "InvalidStructValue", "ConvertToSocketBytesCommand")]
    [InlineData("ConvertTo-SocketBytes '999999999999I' 1", "InvalidStructFormat", "ConvertToSocketBytesCommand")]
    [InlineData("[byte[]](1, 2) | ConvertFrom-SocketBytes '2000000000d'", "InvalidStructFormat", "ConvertFromSocketBytesCommand")]
    public void TheImportantCmdletsAnswerHostileInputWithTheirOwnErrorIds(string script, string errorId, string commandClass)
    {
        var result = Ps.RunWithin(Limit, ConnectedPair + """

            $closed = New-Socket; Close-Socket $closed
            $udp = New-Socket -Type Dgram -LocalPort 0

            """ + script);
        var record = result.Errors.Count > 0 ? result.Errors[0] : Assert.IsAssignableFrom<IContainsErrorRecord>(result.Exception).ErrorRecord;
        Assert.Equal($"{errorId},PsSockets.Commands.{commandClass}", record.FullyQualifiedErrorId);
        Assert.NotEqual(ErrorCategory.NotSpecified, record.CategoryInfo.Category);
        Assert.True(record.TargetObject is not null || errorId.StartsWith("ParameterArgument", StringComparison.Ordinal)); // the binder's own records name none
        // Only Select-Socket -Timeout goes on without the refused item: a select over nothing, which times out.
        Assert.All(result.Output, o => Assert.True(o.BaseObject.GetType().Name == "SelectResult" && o.Properties["TimedOut"].Value is true, $"unexpected output {o}"));
        Assert.Equal("ok", Ps.RunWithin(Limit, "Send-SocketData $c 'ok'; Receive-SocketData $s -Count 2 -Timeout 5").Ok().Single);
    }

    [Theory]
    [InlineData("$null | Close-Socket")] // Close-Socket allows null: closing nothing, like closing twice, is harmless
    [InlineData("@($null) | Close-Socket")]
    [InlineData("@() | Close-Socket")]
    [InlineData("$closed | Close-Socket")]
    [InlineData("$null | Send-SocketData $c")] // nothing to send
    [InlineData("@() | Receive-SocketData")] // no input, no receive
    [InlineData("$null | Stop-SocketRelay")]
    public void NullAndNothingAreHarmlessWhereTheCmdletAllowsThem(string script)
    {
        var result = Ps.RunWithin(Limit, ConnectedPair + "\n$closed = New-Socket; Close-Socket $closed\n" + script).Ok();
        Assert.Empty(result.Output);
        Assert.Equal(0L, Ps.Run("$s.BytesBuffered + $s.Socket.Available").Single is int n ? (long)n : -1);
        Assert.Equal("ok", Ps.RunWithin(Limit, "Send-SocketData $c 'ok'; Receive-SocketData $s -Count 2 -Timeout 5").Ok().Single);
    }

    [Fact]
    public void AnObjectPipedAsDataGoesOutAsItsPowerShellText()
    {
        var result = WithPair("""
            [pscustomobject]@{ Name = 'x'; Size = 2 } | Send-SocketData $c
            Receive-SocketData $s -Count 17 -Timeout 5
            """).Ok();
        Assert.Equal("@{Name=x; Size=2}", result.Single);
    }

    [Fact]
    public void ASocketPipedAsDataIsRefusedAndTheRestStillGoes()
    {
        var result = WithPair("""
            'a', $c, 'b' | Send-SocketData $c
            Receive-SocketData $s -Count 2 -Timeout 5
            """);
        Assert.Equal("ab", result.Single);
        AssertError(result, "SocketAsData", ErrorCategory.InvalidArgument, "SendSocketDataCommand");
    }
}
