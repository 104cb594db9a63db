using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>
/// select(): waits until a socket is ready to read, to write, or in error, or the timeout passes.
/// Two forms: three lists, as select() takes them (<c>Select-Socket -Read $a -Write $b</c>), or the
/// sockets from the pipeline with switches saying what to wait for (<c>Get-Socket | Select-Socket -Read</c>).
/// </summary>
/// <remarks>
/// A parameter cannot be a list in one form and a switch in the other, so -Read and -Write are dynamic:
/// switches (and -Socket takes the pipeline) when the cmdlet has input piped to it, lists otherwise. -Error
/// stays a static list in both forms: the engine resolves "-Error" against -ErrorAction and -ErrorVariable
/// before it asks for dynamic parameters, and only an exact static name is not ambiguous.
/// </remarks>
[Cmdlet(VerbsCommon.Select, "Socket")]
[OutputType(typeof(SelectResult))]
public sealed class SelectSocketCommand : SocketCmdlet, IDynamicParameters
{
    private static readonly string[] s_lists = ["Read", "Write"];
    private RuntimeDefinedParameterDictionary? _dynamic;
    private readonly List<PsSocket> _piped = [];

    /// <summary>Sockets to check for an exceptional condition; closed and failed sockets of every list are reported in Error anyway.</summary>
    [Parameter]
    [AllowEmptyCollection]
    [SocketTransformation]
    [ArgumentCompleter(typeof(SocketCompleter))]
    public PsSocket[] Error { get; set; } = [];

    /// <summary>Seconds to wait; 0 polls; left out, waits until a socket is ready or Ctrl+C.</summary>
    [Parameter]
    [ValidateRange(0.0, MaxTimeout)]
    public double Timeout { get; set; }

    // The attributes are only read by the engine, so each form's are made once; the parameters hold each call's values.
    private static readonly Collection<Attribute>[] s_listAttributes = [ListAttributes(0), ListAttributes(1)];
    private static readonly Collection<Attribute> s_switchAttributes = [new ParameterAttribute()];
    private static readonly Collection<Attribute> s_pipedAttributes =
        [new ParameterAttribute { ValueFromPipeline = true }, new AllowEmptyCollectionAttribute(), new SocketTransformationAttribute()];

    public object GetDynamicParameters()
    {
        _dynamic = new RuntimeDefinedParameterDictionary();
        if (Piped)
        {
            _dynamic.Add("Socket", new RuntimeDefinedParameter("Socket", typeof(PsSocket[]), s_pipedAttributes));
            foreach (string name in s_lists)
            {
                _dynamic.Add(name, new RuntimeDefinedParameter(name, typeof(SwitchParameter), s_switchAttributes));
            }
            return _dynamic;
        }
        for (int position = 0; position < s_lists.Length; position++)
        {
            _dynamic.Add(s_lists[position], new RuntimeDefinedParameter(s_lists[position], typeof(PsSocket[]), s_listAttributes[position]));
        }
        return _dynamic;
    }

    protected override void Process()
    {
        if (!Piped)
        {
            WriteObject(Select(List("Read"), List("Write"), NonNull(Error)));
            return;
        }
        if (Value("Socket") is PsSocket[] sockets)
        {
            foreach (var socket in sockets)
            {
                if (socket is not null)
                {
                    _piped.Add(socket);
                }
            }
        }
    }

    protected override void End()
    {
        if (!Piped)
        {
            return;
        }
        bool read = Switch("Read"), write = Switch("Write");
        read |= !write; // what a select loop waits for, unless told otherwise
        WriteObject(Select(read ? _piped : [], write ? _piped : [], NonNull(Error)));
    }

    private SelectResult Select(IReadOnlyList<PsSocket> read, IReadOnlyList<PsSocket> write, PsSocket[] error)
    {
        if (read.Count == 0 && write.Count == 0 && error.Length == 0 && !IsBound(nameof(Timeout)))
        {
            // No socket can ever become ready: select() would wait until Ctrl+C (Get-Socket | Select-Socket with no socket open).
            ThrowTerminatingError(new ErrorRecord(new PSArgumentException(
                "Select-Socket was given no socket to wait for and no -Timeout, so it would wait forever. Give sockets, or -Timeout to wait that long."),
                "NothingToSelect", ErrorCategory.InvalidArgument, Array.Empty<PsSocket>()));
        }
        return SocketSelector.Select(read, write, error, BoundTimeout(Timeout), StopToken);
    }

    /// <summary>True when objects are piped in: then -Read, -Write and -Error are switches.</summary>
    private bool Piped => MyInvocation?.ExpectingInput ?? false;

    private static Collection<Attribute> ListAttributes(int position) =>
        [new ParameterAttribute { Position = position }, new AllowEmptyCollectionAttribute(), new SocketTransformationAttribute(), new ArgumentCompleterAttribute(typeof(SocketCompleter))];

    private object? Value(string name) => _dynamic is not null && _dynamic.TryGetValue(name, out var p) && p.IsSet ? p.Value : null;

    private bool Switch(string name) => Value(name) is SwitchParameter { IsPresent: true };

    private PsSocket[] List(string name) => NonNull(Value(name) as PsSocket[]);

    private static PsSocket[] NonNull(PsSocket[]? sockets) =>
        sockets is null ? [] : Array.IndexOf(sockets, null) < 0 ? sockets : Array.FindAll(sockets, s => s is not null);
}
