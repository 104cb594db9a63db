using System;

namespace PsSockets.Core.Tests.Hostile;

/// <summary>
/// How many random cases each property tries: a few seconds' worth by default, twenty times more with
/// PSSOCKETS_HEAVY_TESTS=1. A failure prints CsCheck's seed; set CsCheck_Seed to it to run that case again.
/// </summary>
internal static class Runs
{
    public static readonly bool Heavy = Environment.GetEnvironmentVariable("PSSOCKETS_HEAVY_TESTS") == "1";

    /// <summary><paramref name="normal"/> iterations, or twenty times as many in a heavy run.</summary>
    public static long Of(long normal) => Heavy ? normal * 20 : normal;
}
