using System;
using System.IO;
using PsSockets.Tests.Infrastructure;
using Xunit;

namespace PsSockets.Tests;

/// <summary>
/// The shell as people without pwsh get it: packed as a .NET tool, installed with `dotnet tool install`, run as
/// `pssockets`, with its own copy of the module (help included).
/// </summary>
public sealed class ToolPackageTests
{
    [Fact]
    public void TheShellPacksInstallsAndRunsAsADotnetTool()
    {
        string root = Directory.CreateTempSubdirectory("pssockets-tool-").FullName;
        try
        {
            string configuration = new DirectoryInfo(Path.GetDirectoryName(ShellProcess.ShellDll)!).Parent!.Name; // what the test run built
            var packed = ChildProgram.Run("dotnet", ["pack", "src/PsSockets.Shell", "--no-build", "-c", configuration, "-o", Path.Combine(root, "package")], TimeSpan.FromMinutes(3));
            Assert.True(packed.ExitCode == 0, packed.ToString());
            var installed = ChildProgram.Run("dotnet", ["tool", "install", "PsSockets.Shell", "--tool-path", Path.Combine(root, "tools"),
                "--add-source", Path.Combine(root, "package"), "--version", "0.1.0"], TimeSpan.FromMinutes(3));
            Assert.True(installed.ExitCode == 0, installed.ToString());

            var run = ChildProgram.Run(Path.Combine(root, "tools", "pssockets"), ["-NoProfile", "-Command", """
                (Get-Module PsSockets).ModuleBase
                (Get-Help Connect-Socket).Synopsis.Length -gt 0
                $l = Start-SocketListener -Port 0
                Test-SocketConnection 127.0.0.1 $l.LocalEndPoint.Port -Quiet
                """], TimeSpan.FromMinutes(1), workingDirectory: root);

            Assert.True(run.ExitCode == 0, run.ToString());
            var lines = run.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith(Path.Combine(root, "tools", ".store"), lines[0]); // the tool's own module, not the repository's
            Assert.Equal(["True", "True"], lines[1..]);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
