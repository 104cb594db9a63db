using System;
using System.IO;

namespace PsSockets.Tests.Infrastructure;

/// <summary>A file of <c>length</c> zero bytes in the temp folder (sparse: costs no disk), deleted on dispose.</summary>
public sealed class TemporaryFile : IDisposable
{
    public TemporaryFile(long length)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"pssockets-{Guid.NewGuid():N}.bin");
        using var file = File.Create(Path);
        file.SetLength(length);
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}
