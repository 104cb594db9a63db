using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading.Tasks;

namespace PsSockets.Pester;

/// <summary>A program an example needs running (a proxy on the port the page names), started and waited for until it says it listens.</summary>
internal sealed class ExamplePeer : IDisposable
{
    private readonly Process _process;

    private ExamplePeer(Process process) => _process = process;

    public static ExamplePeer Start(string file, IEnumerable<string> arguments, string ready)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously); // nothing to dispose under a late event
        void Watch(object sender, DataReceivedEventArgs e)
        {
            if (e.Data?.Contains(ready, StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        }
        process.OutputDataReceived += Watch;
        process.ErrorDataReceived += Watch;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!listening.Task.Wait(TimeSpan.FromSeconds(20)))
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} did not say '{ready}' within 20 s (is its port taken?)");
        }
        process.OutputDataReceived -= Watch;
        process.ErrorDataReceived -= Watch;
        return new ExamplePeer(process);
    }

    public void Dispose()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        _process.Dispose();
    }
}
