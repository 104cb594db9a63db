using System;
using System.Linq;
using System.Net;
using CsCheck;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// The endpoint argument (-To, and every parameter with [EndPointTransformation]) under random text and
/// objects of every kind, through the attribute itself in the hosted engine (the cmdlet would resolve the
/// names, and no test may ask DNS): a clear ArgumentTransformationMetadataException, which the binder turns
/// into ParameterArgumentTransformationError, or an endpoint whose text reads back as itself.
/// </summary>
public sealed class EndPointArgumentTests(PsSession ps) : SocketTestBase(ps)
{
    private static readonly int Count = Environment.GetEnvironmentVariable("PSSOCKETS_HEAVY_TESTS") == "1" ? 20_000 : 1_000;

    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String[Gen.Char["[]:0123456789abcdef.%@/unix \0\t-+é😀"], 0, 30],
        Gen.String[0, 30],
        Gen.Select(Gen.OneOf("unix:", "[::1]", "[", "127.0.0.1:", "host:", "@"), Gen.String[Gen.Char["[]:0123456789%@/ \0"], 0, 12]).Select((a, b) => a + b),
        Gen.Select(Gen.Char, Gen.Int[300, 5000]).Select((c, n) => new string(c, n)));

    [Fact]
    public void AnyTextOrObjectIsAClearTransformationErrorOrAnEndPointThatReadsBack()
    {
        var texts = Text.Array[Count].Single();
        object?[] objects = [.. texts, 42, 4.5, true, new object(), new[] { "a", "b" }, new IPEndPoint(IPAddress.IPv6Loopback, 53),
            new DnsEndPoint("localhost", 80), new System.Net.Sockets.UnixDomainSocketEndPoint("/tmp/x.sock"), null, IPAddress.Loopback, new byte[] { 1, 2 }];
        Ps.Set("objects", objects);
        var lines = Ps.RunWithin(TimeSpan.FromSeconds(60), """
            $attribute = [PsSockets.Commands.EndPointTransformationAttribute]::new()
            foreach ($o in $objects) {
                try {
                    $endPoint = $attribute.Transform($ExecutionContext, $o)
                    if ($null -eq $endPoint) { 'null' }
                    elseif ($endPoint -is [PsSockets.EndPointText]) {
                        $again = $attribute.Transform($ExecutionContext, $endPoint.ToString())
                        if ($again.ToString() -ceq $endPoint.ToString()) { 'ok' } else { "differs: '$endPoint' then '$again'" }
                    }
                    else { "not an endpoint: $($endPoint.GetType().Name)" }
                }
                catch [System.Management.Automation.ArgumentTransformationMetadataException] { 'refused' }
                catch { "escaped: $($_.Exception.GetType().FullName): $($_.Exception.Message)" }
            }
            """).Ok().Values.Cast<string>().ToArray();
        Assert.Equal(objects.Length, lines.Length);
        var wrong = lines.Select((line, i) => (line, i)).Where(p => p.line is not ("ok" or "refused" or "null"))
            .Select(p => $"{Show(objects[p.i])}: {p.line}").ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong.Take(20)));
        Assert.Contains("ok", lines);
        Assert.Contains("refused", lines);
    }

    private static string Show(object? o) => o is string s ? $"'{(s.Length > 60 ? s[..60] + "..." : s)}'" : o?.GetType().Name ?? "null";
}
