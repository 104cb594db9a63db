using System.Collections.Generic;
using System.IO;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>-Path / -LiteralPath / -OutFile as PowerShell resolves them: against the current location, file system only.</summary>
internal static class FileArguments
{
    /// <summary>Existing files named by <paramref name="paths"/> (wildcards expand unless literal); a missing one is a terminating error.</summary>
    public static IEnumerable<string> Resolve(PSCmdlet cmdlet, string[] paths, bool literal)
    {
        foreach (string path in paths)
        {
            IEnumerable<string> files;
            ProviderInfo provider;
            try
            {
                files = literal
                    ? [cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _)]
                    : cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
            }
            catch (ItemNotFoundException e)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(e, "FileNotFound", ErrorCategory.ObjectNotFound, path));
                yield break;
            }
            RequireFileSystem(cmdlet, provider, path);
            foreach (string file in files)
            {
                if (!File.Exists(file))
                {
                    cmdlet.ThrowTerminatingError(new ErrorRecord(new FileNotFoundException($"Cannot send '{file}': no such file.", file),
                        "FileNotFound", ErrorCategory.ObjectNotFound, path));
                }
                yield return file;
            }
        }
    }

    /// <summary>The file-system path a file will be written to (it need not exist yet).</summary>
    public static string ForWriting(PSCmdlet cmdlet, string path)
    {
        string file = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
        RequireFileSystem(cmdlet, provider, path);
        return file;
    }

    /// <summary>A unix socket path resolved like a file path (relative to the current location); an abstract "@name" as it is.</summary>
    public static string UnixSocket(PSCmdlet cmdlet, string path) => path.StartsWith('@') ? path : ForWriting(cmdlet, path);

    private static void RequireFileSystem(PSCmdlet cmdlet, ProviderInfo provider, string path)
    {
        if (provider.Name != "FileSystem")
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"'{path}' is not a file-system path (it belongs to the {provider.Name} provider)."),
                "NotAFileSystemPath", ErrorCategory.InvalidArgument, path));
        }
    }
}
