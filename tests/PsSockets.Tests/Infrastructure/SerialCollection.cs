using Xunit;

namespace PsSockets.Tests.Infrastructure;

/// <summary>
/// Tests that count the process's file descriptors or time a stop run alone, after the parallel
/// ones, so other classes' sockets and peers do not blur what they measure.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial: descriptors and stop timings";
}
