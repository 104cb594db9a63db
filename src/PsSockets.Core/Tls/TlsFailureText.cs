using System;
using System.Text;

namespace PsSockets;

/// <summary>The runtime's words for a TLS failure, with the reason underneath (OpenSSL's, an alert's) when there is one.</summary>
internal static class TlsFailureText
{
    public static string Of(Exception e)
    {
        static string Said(Exception x) => x.Message.Replace(", see inner exception", string.Empty, StringComparison.Ordinal).TrimEnd('.');
        var reason = new StringBuilder(Said(e));
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (!string.IsNullOrEmpty(inner.Message) && !reason.ToString().Contains(Said(inner), StringComparison.Ordinal))
            {
                reason.Append(": ").Append(Said(inner));
            }
        }
        return reason.Append('.').ToString();
    }
}
