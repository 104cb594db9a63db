using System;
using System.Runtime.ExceptionServices;

namespace PsSockets;

internal static class ExceptionExtensions
{
    /// <summary>Rethrows with the original stack; typed as returning so callers can write <c>throw e.Rethrow()</c>.</summary>
    public static Exception Rethrow(this Exception e)
    {
        ExceptionDispatchInfo.Capture(e).Throw();
        return e;
    }
}
