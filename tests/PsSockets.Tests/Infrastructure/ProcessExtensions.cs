using System;
using System.Diagnostics;

namespace PsSockets.Tests.Infrastructure;

internal static class ProcessExtensions
{
    /// <summary>Ends a child process (and its children) if it still runs, then releases it.</summary>
    public static void KillAndDispose(this Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        process.Dispose();
    }
}
