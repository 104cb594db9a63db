using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PsSockets;

/// <summary>
/// One named socket option of <see cref="SocketOptionCatalog"/>: its name here and in C, its level,
/// the sockets it applies to, its value type, and how to get and set it.
/// </summary>
public sealed class SocketOptionDefinition
{
    private readonly Func<PsSocket, object?> _get;
    private readonly Action<Socket, object?>? _setOnSocket;
    private readonly Action<PsSocket, object?>? _setOnPsSocket;

    internal SocketOptionDefinition(string name, string cName, string level, SocketKinds appliesTo, Type valueType, string summary,
        Func<PsSocket, object?> get, Action<Socket, object?>? setOnSocket, Action<PsSocket, object?>? setOnPsSocket = null)
    {
        Name = name;
        CName = cName;
        Level = level;
        AppliesTo = appliesTo;
        ValueType = valueType;
        Summary = summary;
        _get = get;
        _setOnSocket = setOnSocket;
        _setOnPsSocket = setOnPsSocket;
    }

    public string Name { get; }

    /// <summary>The C name (the IPv4 one when IPv6 has its own, see <see cref="CNameFor"/>).</summary>
    public string CName { get; }

    /// <summary>The C level: SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP, IPPROTO_IPV6; fcntl for Blocking.</summary>
    public string Level { get; }

    public SocketKinds AppliesTo { get; }

    /// <summary>bool, int, int? (null: off), double? (null: no limit) or IPAddress.</summary>
    public Type ValueType { get; }

    /// <summary>What a number counts: seconds, bytes, hops, probes; empty for the others.</summary>
    public string Unit { get; init; } = string.Empty;

    /// <summary>One line on what the option does.</summary>
    public string Summary { get; }

    /// <summary>False where this system does not have the option (SO_REUSEPORT outside Linux).</summary>
    public bool IsSupported { get; init; } = true;

    /// <summary>True for options the PsSocket keeps itself (the per-direction timeouts): a bare Socket cannot take them.</summary>
    public bool NeedsPsSocket => _setOnSocket is null;

    internal string? CNameV6 { get; init; }
    internal string? LevelV6 { get; init; }
    internal double Min { get; init; } = double.MinValue;
    internal double Max { get; init; } = double.MaxValue;

    public string CNameFor(SocketKinds kind) => (kind & SocketKinds.IPv6) != 0 && CNameV6 is not null ? CNameV6 : CName;

    public string LevelFor(SocketKinds kind) => (kind & SocketKinds.IPv6) != 0 && LevelV6 is not null ? LevelV6 : Level;

    public bool AppliesToSocket(Socket socket) => (AppliesTo & SocketKind.Of(socket)) != 0;

    /// <summary>getsockopt: the option's value on <paramref name="socket"/>.</summary>
    public SocketOptionValue Get(PsSocket socket)
    {
        string doing = $"get {Title(socket.Socket)} on {socket}";
        var kind = Check(socket.Socket, socket, socket.ToString(), doing);
        long started = SocketCallLog.Start();
        string call = Name == "Blocking" ? $"fcntl(#{socket.Id}, F_GETFL)" : $"getsockopt(#{socket.Id}, {LevelFor(kind)}, {CNameFor(kind)})";
        object? value;
        try
        {
            value = OptionCall.Run(() => _get(socket), doing, socket);
        }
        catch (Exception e) when (SocketCallLog.Current is { } log && log.Failed(call, started, e))
        {
            throw; // not reached: the filter only tells of the failure
        }
        SocketCallLog.Current?.Add($"{call} -> {(Name == "Blocking" ? (value is false ? "O_NONBLOCK set" : "O_NONBLOCK clear") : CValue(Name == "DualMode" ? value is false : value))}");
        return new SocketOptionValue(socket, Name, value, Unit, CNameFor(kind), LevelFor(kind));
    }

    /// <summary>setsockopt with a value of <see cref="ValueType"/> (wider integers are taken when they fit).</summary>
    public void Set(PsSocket socket, object? value)
    {
        string doing = $"set {Title(socket.Socket)} to {Show(value)} on {socket}";
        Check(socket.Socket, socket, socket.ToString(), doing);
        object? typed = Typed(value, doing, socket);
        Told(socket.Socket, $"#{socket.Id}", typed, () => OptionCall.Run(() =>
        {
            if (_setOnPsSocket is not null)
            {
                _setOnPsSocket(socket, typed);
            }
            else
            {
                _setOnSocket!(socket.Socket, typed);
            }
        }, doing, socket));
    }

    /// <summary>Runs a set, telling -Verbose of it as setsockopt (fcntl for Blocking) with its value, or of its failure.</summary>
    private void Told(Socket socket, string? name, object? value, Action set)
    {
        if (SocketCallLog.Current is not { } log)
        {
            set();
            return;
        }
        var kind = SocketKind.Of(socket);
        string call = Name == "Blocking"
            ? $"fcntl({name ?? log.Of(socket)}, F_SETFL, {(value is false ? "O_NONBLOCK" : "~O_NONBLOCK")})"
            : $"setsockopt({name ?? log.Of(socket)}, {LevelFor(kind)}, {CNameFor(kind)}, {(Name == "DualMode" ? CValue(value is false) : CValue(value))})";
        long started = SocketCallLog.Start();
        try
        {
            set();
        }
        catch (Exception e) when (log.Failed(call, started, e))
        {
            throw; // not reached: the filter only tells of the failure
        }
        log.Add(call);
    }

    /// <summary>A value as C passes it: 1 and 0 for flags, {l_onoff, l_linger} for SO_LINGER.</summary>
    private string CValue(object? value) => value switch
    {
        bool b => b ? "1" : "0",
        null when Name == "Linger" => "{l_onoff=0}",
        int seconds when Name == "Linger" => $"{{l_onoff=1, l_linger={seconds}}}",
        null => "0 (no limit)",
        double seconds => $"{seconds.ToString(CultureInfo.InvariantCulture)} s",
        _ => Show(value),
    };

    /// <summary>setsockopt on a socket not yet wrapped in a PsSocket (see <see cref="SocketOptionCatalog.Apply(Socket, System.Collections.Generic.IReadOnlyDictionary{string, object?})"/>).</summary>
    internal void Set(Socket socket, object? value)
    {
        string who = $"the new {SocketKind.Name(SocketKind.Of(socket))} socket";
        string doing = $"set {Title(socket)} to {Show(value)} on {who}";
        Check(socket, socket, who, doing);
        object? typed = Typed(value, doing, socket);
        Told(socket, null, typed, () => OptionCall.Run(() => _setOnSocket!(socket, typed), doing, socket));
    }

    /// <summary>Everything <see cref="Set(PsSocket, object?)"/> checks (the option applies, the value fits), without setting it.</summary>
    internal void Validate(Socket socket, object target, object? value)
    {
        string who = target is PsSocket owner ? owner.ToString() : $"the new {SocketKind.Name(SocketKind.Of(socket))} socket";
        string doing = $"set {Title(socket)} to {Show(value)} on {who}";
        Check(socket, target, who, doing);
        Typed(value, doing, target);
    }

    /// <summary>"a Boolean ($true or $false)", "an Int32: 1 to 255 hops", for messages and help.</summary>
    public string Expected()
    {
        var type = Nullable.GetUnderlyingType(ValueType) ?? ValueType;
        string name = type == typeof(bool) ? "a Boolean ($true or $false)"
            : type == typeof(IPAddress) ? "an IPv4 IPAddress"
            : type == typeof(IPAddress[]) ? "IPAddress[] (multicast groups; @() for none)"
            : $"{(type == typeof(int) ? "an Int32" : "a Double")}: {Range()}";
        return ValueType == typeof(int?) ? $"{name}, or $null for off"
            : ValueType == typeof(double?) ? $"{name}, or $null for no limit"
            : name;
    }

    public override string ToString() => $"{Name} ({CName})";

    private string Title(Socket socket) => $"{Name} ({CNameFor(SocketKind.Of(socket))})";

    private SocketKinds Check(Socket socket, object target, string who, string doing)
    {
        if (target is PsSocket owner)
        {
            owner.ThrowIfClosed();
        }
        if (!IsSupported)
        {
            throw new SocketOperationException(SocketFailure.OptionNotSupported, $"Cannot {doing}: PsSockets has {CName} on Linux only.", target);
        }
        var kind = SocketKind.Of(socket);
        if ((AppliesTo & kind) == 0)
        {
            throw new SocketOperationException(SocketFailure.OptionNotApplicable,
                $"{Title(socket)} applies to {SocketKind.Describe(AppliesTo)}; {who} is {SocketKind.Mismatch(AppliesTo, kind)}.", target);
        }
        return kind;
    }

    /// <summary>The value as <see cref="ValueType"/>, within the option's range, or an InvalidArgument error.</summary>
    private object? Typed(object? value, string doing, object target)
    {
        var type = Nullable.GetUnderlyingType(ValueType) ?? ValueType;
        object? typed = value switch
        {
            null => null, // allowed only where the type is nullable: checked below
            bool b when type == typeof(bool) => b,
            IPAddress { AddressFamily: AddressFamily.InterNetwork } a when type == typeof(IPAddress) => a,
            IPAddress[] groups when type == typeof(IPAddress[]) => groups,
            sbyte or byte or short or ushort or int or uint or long or ulong when type == typeof(int) => WholeNumber(value),
            sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal when type == typeof(double) =>
                Convert.ToDouble(value, CultureInfo.InvariantCulture),
            _ => null,
        };
        bool fits = typed switch
        {
            null => value is null && type != ValueType,
            int n => n >= Min && n <= Max,
            double d => !double.IsNaN(d) && d >= Min && d <= Max,
            _ => true,
        };
        if (!fits)
        {
            throw new SocketOperationException(SocketFailure.InvalidArgument, $"Cannot {doing}: it takes {Expected()}.", target);
        }
        return typed;
    }

    private static int? WholeNumber(object value)
    {
        decimal n = Convert.ToDecimal(value, CultureInfo.InvariantCulture);
        return n is >= int.MinValue and <= int.MaxValue ? (int)n : null;
    }

    private string Range() =>
        Max >= int.MaxValue ? $"{Min.ToString(CultureInfo.InvariantCulture)} or more {Unit}"
        : $"{Min.ToString(CultureInfo.InvariantCulture)} to {Max.ToString(CultureInfo.InvariantCulture)} {Unit}";

    private static string Show(object? value) => value switch
    {
        null => "$null",
        string s => $"'{s}'",
        IPAddress[] list => $"@({string.Join(", ", (object[])list)})",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
