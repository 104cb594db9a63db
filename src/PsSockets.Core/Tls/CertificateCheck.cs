using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace PsSockets;

/// <summary>
/// The verdict on one server certificate, kept so that a refused handshake can say why in words
/// (expired, wrong name, untrusted root) instead of the runtime's "remote certificate is invalid".
/// </summary>
public sealed class CertificateCheck
{
    public X509Certificate2? Certificate { get; private set; }

    public SslPolicyErrors Errors { get; private set; }

    /// <summary>What the chain builder found, one flag per problem (UntrustedRoot, NotTimeValid, PartialChain, ...).</summary>
    public X509ChainStatusFlags ChainStatus { get; private set; }

    /// <summary>True when the certificate was refused (by the default rule or a custom one).</summary>
    public bool Refused { get; private set; }

    /// <summary>True when a custom rule made the decision.</summary>
    public bool DecidedByRule { get; private set; }

    /// <summary>An exception the custom rule threw; the certificate is then refused.</summary>
    public Exception? RuleFailure { get; private set; }

    private string? _rootSubject;
    private string? _serverName;

    internal bool Judge(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, TlsClientSettings settings) =>
        Judge(certificate, chain, errors, settings.Validation, settings.SkipCertificateCheck, settings.ServerName);

    /// <summary>
    /// The verdict: a custom <paramref name="rule"/> decides when there is one; else any certificate when
    /// <paramref name="acceptAny"/>, else only one the system found nothing wrong with.
    /// </summary>
    internal bool Judge(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, TlsClientSettings.CertificateRule? rule, bool acceptAny, string? serverName)
    {
        // A copy of its own: the runtime disposes the certificate it lends the callback once the handshake fails.
        Certificate = certificate is null ? null : new X509Certificate2(certificate.GetRawCertData());
        Errors = errors;
        _serverName = serverName;
        if (chain is not null)
        {
            ChainStatus = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status);
            _rootSubject = chain.ChainElements.Count > 0 ? chain.ChainElements[^1].Certificate.Subject : null;
        }
        bool accepted;
        if (rule is not null && Certificate is not null)
        {
            DecidedByRule = true;
            try
            {
                accepted = rule(Certificate, chain, errors);
            }
            catch (Exception e)
            {
                RuleFailure = e;
                accepted = false;
            }
        }
        else
        {
            accepted = acceptAny || errors == SslPolicyErrors.None;
        }
        Refused = !accepted;
        return accepted;
    }

    /// <summary>The problems found, in words; empty when there were none.</summary>
    public IReadOnlyList<string> Problems(string serverName)
    {
        var problems = new List<string>();
        if (Errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            problems.Add("no certificate was sent");
        }
        if (Certificate is { } cert)
        {
            if (Errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            {
                var names = CertificateSummary.NamesOf(cert);
                string holds = names.Count > 0 ? $"it is for {string.Join(", ", names)}" : $"it is for '{cert.Subject}'";
                problems.Add($"name mismatch: {holds}, not '{_serverName ?? serverName}'");
            }
            if (Errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
            {
                problems.AddRange(ChainProblems(cert));
            }
        }
        return problems;
    }

    /// <summary>Why the handshake was refused, in one sentence, for an error message.</summary>
    public string Describe(string serverName)
    {
        if (RuleFailure is { } failure)
        {
            return $"the -CertificateValidation script block failed: {failure.Message}";
        }
        var problems = Problems(serverName);
        string found = problems.Count > 0 ? string.Join("; ", problems) : "no problem was found by the system";
        return DecidedByRule ? $"the -CertificateValidation script block refused it ({found})" : found;
    }

    private IEnumerable<string> ChainProblems(X509Certificate2 cert)
    {
        var now = DateTime.Now;
        bool any = false;
        if (ChainStatus.HasFlag(X509ChainStatusFlags.NotTimeValid))
        {
            any = true;
            yield return cert.NotAfter < now
                ? $"expired: it was valid until {Stamp(cert.NotAfter)} (NotAfter)"
                : cert.NotBefore > now
                ? $"not yet valid: it is valid from {Stamp(cert.NotBefore)} (NotBefore)"
                : "a certificate of its chain is expired or not yet valid";
        }
        if (ChainStatus.HasFlag(X509ChainStatusFlags.UntrustedRoot))
        {
            any = true;
            string root = _rootSubject ?? cert.Issuer;
            yield return root == cert.Subject
                ? $"untrusted root: it is self-signed ('{cert.Subject}') and not trusted here"
                : $"untrusted root: its chain ends at '{root}', which is not trusted here";
        }
        if (ChainStatus.HasFlag(X509ChainStatusFlags.PartialChain))
        {
            any = true;
            yield return $"untrusted root: its issuer '{cert.Issuer}' is not known here, so the chain reaches no trusted root";
        }
        if (ChainStatus.HasFlag(X509ChainStatusFlags.Revoked))
        {
            any = true;
            yield return "revoked";
        }
        if (ChainStatus.HasFlag(X509ChainStatusFlags.NotSignatureValid))
        {
            any = true;
            yield return "its signature is not valid";
        }
        if (ChainStatus.HasFlag(X509ChainStatusFlags.NotValidForUsage))
        {
            any = true;
            yield return "it is not valid for a TLS server";
        }
        if (!any)
        {
            yield return $"its chain is not valid ({ChainStatus})";
        }
    }

    private static string Stamp(DateTime time) => time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
