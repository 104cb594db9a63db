using System;
using System.Globalization;
using System.Net.Sockets;

namespace PsSockets;

/// <summary>The system's numbers for the options .NET does not map as C means them.</summary>
internal static class NativeOption
{
    public static readonly int SolSocket = OperatingSystem.IsLinux() ? 1 : 0xffff;
    public static readonly int SoReuseAddr = OperatingSystem.IsLinux() ? 2 : 4; // .NET's ReuseAddress also sets SO_REUSEPORT on Linux
    public const int SoReusePortLinux = 15;
}

/// <summary>
/// An option the catalog does not name, as getsockopt(2) takes it: a level (a SocketOptionLevel name,
/// its C name, or the system's number) and an option (a SocketOptionName, which .NET maps to the system's
/// number, or the system's number itself).
/// </summary>
public sealed class RawSocketOption
{
    private readonly int _level;
    private readonly SocketOptionLevel? _dotNetLevel;
    private readonly int _option;
    private readonly SocketOptionName? _dotNetOption;
    private readonly string _title;

    private RawSocketOption(int level, SocketOptionLevel? dotNetLevel, int option, SocketOptionName? dotNetOption)
    {
        _level = level;
        _dotNetLevel = dotNetLevel;
        _option = option;
        _dotNetOption = dotNetOption;
        string levelText = dotNetLevel is { } l ? $"{l} ({level})" : level.ToString(CultureInfo.InvariantCulture);
        _title = $"option {(dotNetOption?.ToString() ?? option.ToString(CultureInfo.InvariantCulture))} at level {levelText}";
    }

    /// <summary>Reads a level and an option; names that are neither known nor numbers are an InvalidArgument error.</summary>
    public static RawSocketOption Parse(string level, string option)
    {
        SocketOptionLevel? dotNetLevel;
        int nativeLevel;
        if (TryNumber(level, out int number))
        {
            nativeLevel = number;
            dotNetLevel = FromNative(number);
        }
        else
        {
            dotNetLevel = LevelByName(level) ?? throw new SocketOperationException(SocketFailure.InvalidArgument,
                $"'{level}' is not a socket option level: give Socket, IP, IPv6, Tcp or Udp (or SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6, IPPROTO_TCP, IPPROTO_UDP), or the system's number.", level);
            nativeLevel = ToNative(dotNetLevel.Value);
        }
        if (TryNumber(option, out int optionNumber))
        {
            return new RawSocketOption(nativeLevel, dotNetLevel, optionNumber, null);
        }
        if (IsName(option) && Enum.TryParse(option, ignoreCase: true, out SocketOptionName name))
        {
            return dotNetLevel is null
                ? throw new SocketOperationException(SocketFailure.InvalidArgument,
                    $"Level {level} is none that .NET names, so option '{option}' must be given as the system's number.", option)
                : new RawSocketOption(nativeLevel, dotNetLevel, 0, name);
        }
        throw new SocketOperationException(SocketFailure.InvalidArgument,
            $"'{option}' is not a socket option: give a SocketOptionName (KeepAlive, ReuseAddress, IpTimeToLive, ...) or the system's number.", option);
    }

    /// <summary>getsockopt: an int, or with <paramref name="length"/> the bytes the system wrote (at most that many).</summary>
    public object Get(PsSocket socket, int? length)
    {
        socket.ThrowIfClosed();
        var s = socket.Socket;
        long started = SocketCallLog.Start();
        string call = $"getsockopt(#{socket.Id}, {CCall}{(length is { } asked ? $", {asked} bytes" : "")})";
        try
        {
            object value = OptionCall.Run<object>(() => (_dotNetOption, length) switch
            {
                ({ } name, null) => s.GetSocketOption(_dotNetLevel!.Value, name) ?? 0,
                ({ } name, { } n) => s.GetSocketOption(_dotNetLevel!.Value, name, n),
                (null, null) => OptionCall.GetInt(s, _level, _option),
                (null, { } n) => GetBytes(s, n),
            }, $"get {_title} on {socket}", socket);
            SocketCallLog.Current?.Add($"{call} -> {(value is byte[] bytes ? $"{bytes.Length} bytes" : value)}");
            return value;
        }
        catch (Exception e) when (SocketCallLog.Current is { } log && log.Failed(call, started, e))
        {
            throw; // not reached: the filter only tells of the failure
        }
    }

    /// <summary>"SOL_SOCKET, ReceiveBuffer": the level and option as -Verbose names them in a call.</summary>
    private string CCall =>
        $"{(_dotNetLevel is { } l ? LevelName(l) : _level.ToString(CultureInfo.InvariantCulture))}, {(_dotNetOption?.ToString() ?? _option.ToString(CultureInfo.InvariantCulture))}";

    private static string LevelName(SocketOptionLevel level) => level switch
    {
        SocketOptionLevel.Socket => "SOL_SOCKET",
        SocketOptionLevel.IP => "IPPROTO_IP",
        SocketOptionLevel.IPv6 => "IPPROTO_IPV6",
        SocketOptionLevel.Tcp => "IPPROTO_TCP",
        SocketOptionLevel.Udp => "IPPROTO_UDP",
        _ => level.ToString(),
    };

    /// <summary>setsockopt with an int (the C int, in machine byte order).</summary>
    public void Set(PsSocket socket, int value) =>
        Set(socket, BitConverter.GetBytes(value), value.ToString(CultureInfo.InvariantCulture));

    /// <summary>setsockopt with bytes as they are (a struct the option takes).</summary>
    public void Set(PsSocket socket, byte[] value) => Set(socket, value, $"{value.Length} bytes");

    private void Set(PsSocket socket, byte[] value, string shown)
    {
        socket.ThrowIfClosed();
        var s = socket.Socket;
        long started = SocketCallLog.Start();
        string call = $"setsockopt(#{socket.Id}, {CCall}, {shown})";
        try
        {
            OptionCall.Run(() =>
            {
                if (_dotNetOption is { } name)
                {
                    s.SetSocketOption(_dotNetLevel!.Value, name, value);
                }
                else
                {
                    s.SetRawSocketOption(_level, _option, value);
                }
            }, $"set {_title} to {shown} on {socket}", socket);
        }
        catch (Exception e) when (SocketCallLog.Current is { } log && log.Failed(call, started, e))
        {
            throw; // not reached: the filter only tells of the failure
        }
        SocketCallLog.Current?.Add(call);
    }

    public override string ToString() => _title;

    private byte[] GetBytes(Socket socket, int length)
    {
        var buffer = new byte[length];
        int written = socket.GetRawSocketOption(_level, _option, buffer);
        return written == length ? buffer : buffer[..written];
    }

    private static bool TryNumber(string text, out int number) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out number)
            : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out number);

    /// <summary>Enum.TryParse also takes numbers ("6"): a name starts with a letter.</summary>
    private static bool IsName(string text) => text.Length > 0 && char.IsLetter(text[0]);

    private static SocketOptionLevel? LevelByName(string name) => name.ToUpperInvariant() switch
    {
        "SOL_SOCKET" => SocketOptionLevel.Socket,
        "IPPROTO_IP" => SocketOptionLevel.IP,
        "IPPROTO_IPV6" => SocketOptionLevel.IPv6,
        "IPPROTO_TCP" => SocketOptionLevel.Tcp,
        "IPPROTO_UDP" => SocketOptionLevel.Udp,
        _ => IsName(name) && Enum.TryParse(name, ignoreCase: true, out SocketOptionLevel level) ? level : null,
    };

    // IPPROTO_* are the protocol numbers on every system; only SOL_SOCKET differs.
    private static int ToNative(SocketOptionLevel level) => level == SocketOptionLevel.Socket ? NativeOption.SolSocket : (int)level;

    private static SocketOptionLevel? FromNative(int level) => level switch
    {
        _ when level == NativeOption.SolSocket => SocketOptionLevel.Socket,
        0 => SocketOptionLevel.IP,
        6 => SocketOptionLevel.Tcp,
        17 => SocketOptionLevel.Udp,
        41 => SocketOptionLevel.IPv6,
        _ => null,
    };
}
