using System;
using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;

namespace PsSockets.Commands;

/// <summary>
/// A server's -Handler: runs the script block once per connection, in a handler runspace, with the client
/// socket as its first argument and -ArgumentList after it. What it outputs and its errors go to the server.
/// </summary>
internal sealed class ScriptHandler(string script, object?[] arguments, IDictionary? usingValues, HandlerRunspaces runspaces,
    Action<PSObject> output, Action<ErrorRecord> error)
{
    // How PowerShell passes $using: values to a script it runs (Start-ThreadJob and ForEach-Object -Parallel do the same).
    private const string UsingValuesParameter = "--%";

    private string Script { get; } = script;
    private object?[] Arguments { get; } = arguments;
    private IDictionary? UsingValues { get; } = usingValues;
    private HandlerRunspaces Runspaces { get; } = runspaces;
    private Action<PSObject> Output { get; } = output;
    private Action<ErrorRecord> Error { get; } = error;

    public Task<HandlerEnd> Serve(PsSocket client, CancellationToken stop) => new Run(this, client).Start(stop);

    /// <summary>One connection's handler, from taking a runspace to giving it back.</summary>
    private sealed class Run(ScriptHandler handler, PsSocket client)
    {
        private readonly TaskCompletionSource<HandlerEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly PSDataCollection<PSObject> _output = new();
        private readonly object _gate = new();
        private Runspace _runspace = null!;
        private PowerShell _ps = null!;
        private CancellationTokenRegistration _stopping;
        private bool _invoked;
        private bool _finished;

        public Task<HandlerEnd> Start(CancellationToken stop)
        {
            _runspace = handler.Runspaces.Take();
            try
            {
                SessionSockets.Of(_runspace).Add(client); // the handler's Get-Socket shows its client
                _ps = PowerShell.Create();
                _ps.Runspace = _runspace;
                _ps.AddScript(handler.Script, useLocalScope: true).AddArgument(client);
                foreach (var argument in handler.Arguments)
                {
                    _ps.AddArgument(argument);
                }
                if (handler.UsingValues is not null)
                {
                    _ps.AddParameter(UsingValuesParameter, handler.UsingValues);
                }
                Forward(_output, handler.Output);
                Forward(_ps.Streams.Error, handler.Error);
                Forward(_ps.Streams.Warning, null);
                Forward(_ps.Streams.Verbose, null);
                Forward(_ps.Streams.Debug, null);
                Forward(_ps.Streams.Information, null);
                Forward(_ps.Streams.Progress, null);
                _stopping = stop.Register(Stop);
                lock (_gate)
                {
                    if (!stop.IsCancellationRequested)
                    {
                        var input = new PSDataCollection<PSObject>();
                        input.Complete();
                        _ps.BeginInvoke(input, _output, null, Invoked, null);
                        _invoked = true;
                    }
                }
            }
            catch
            {
                Finish(HandlerEnd.Failed);
                throw;
            }
            if (!_invoked)
            {
                Finish(HandlerEnd.Interrupted); // the server stopped before this handler began
            }
            return _ended.Task;
        }

        /// <summary>Passes each record on as it comes (or drops it), so a long handler holds none of them.</summary>
        private static void Forward<T>(PSDataCollection<T> stream, Action<T>? to) =>
            stream.DataAdded += (_, _) =>
            {
                foreach (var item in stream.ReadAll())
                {
                    to?.Invoke(item);
                }
            };

        /// <summary>The server stops its handlers: this one stops as Ctrl+C would stop it.</summary>
        private void Stop()
        {
            lock (_gate)
            {
                if (_invoked && !_finished)
                {
                    try
                    {
                        _ps.BeginStop(null, null);
                    }
                    catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or InvalidPowerShellStateException)
                    {
                        // It ended meanwhile.
                    }
                }
            }
        }

        private void Invoked(IAsyncResult result) =>
            // Off the runspace's pipeline thread, which must be done with this pipeline before the runspace is reset.
            Task.Run(() =>
            {
                var end = HandlerEnd.Failed;
                try
                {
                    end = Ended(result);
                }
                finally
                {
                    Finish(end);
                }
            });

        private HandlerEnd Ended(IAsyncResult result)
        {
            try
            {
                _ps.EndInvoke(result);
                return _ps.InvocationStateInfo.State == PSInvocationState.Stopped ? HandlerEnd.Interrupted : HandlerEnd.Completed;
            }
            catch (PipelineStoppedException)
            {
                return HandlerEnd.Interrupted;
            }
            catch (RuntimeException e)
            {
                handler.Error(e.ErrorRecord); // what the handler threw
                return HandlerEnd.Failed;
            }
            catch (Exception e) when (e is InvalidRunspaceStateException or InvalidPowerShellStateException or InvalidOperationException)
            {
                handler.Error(new ErrorRecord(e, "HandlerRunspaceFailed", ErrorCategory.InvalidOperation, client));
                return HandlerEnd.Failed;
            }
        }

        private void Finish(HandlerEnd end)
        {
            try
            {
                lock (_gate)
                {
                    _finished = true;
                }
                _stopping.Dispose();
                var sockets = SessionSockets.Of(_runspace);
                sockets.Remove(client); // the server closes the client, once it counted the handler's end
                sockets.CloseAll(); // what the handler opened and left open
                _ps?.Dispose();
                handler.Runspaces.Return(_runspace);
            }
            finally
            {
                _ended.TrySetResult(end);
            }
        }
    }
}
