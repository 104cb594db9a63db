using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>-Value of Set-SocketOption converted with PowerShell's rules to what the option takes.</summary>
internal static class OptionValues
{
    /// <summary>
    /// The value as the option's type. A value that does not convert is returned as it is: the core then
    /// refuses it (after checking that the option applies to the socket) naming the type it takes.
    /// </summary>
    public static object? ToOptionType(object? value, SocketOptionDefinition option)
    {
        value = Unwrap(value);
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        if (value is null || type.IsInstanceOfType(value))
        {
            return value;
        }
        if (type == typeof(bool))
        {
            // As PowerShell binds a [bool] parameter: booleans and numbers; and 'true'/'false', not "any non-empty string is true".
            return value switch
            {
                SwitchParameter s => s.IsPresent,
                string text => bool.TryParse(text.Trim(), out bool b) ? b : value,
                _ when IsNumber(value) => LanguagePrimitives.ConvertTo<bool>(value),
                _ => value,
            };
        }
        if (value is bool or SwitchParameter)
        {
            return value; // $false as a number would be 0, and Linger 0 resets the connection: no guessing
        }
        return TryConvert(value, type) ?? value;
    }

    /// <summary>An int, or a byte[] for options that are structs; anything else is an InvalidArgument error.</summary>
    public static object ToRaw(object? value, RawSocketOption option, PsSocket socket)
    {
        value = Unwrap(value);
        object? converted = value switch
        {
            byte[] bytes => bytes,
            IEnumerable and not string => TryConvert(value, typeof(byte[])),
            null => null,
            _ => TryConvert(value, typeof(int)),
        };
        return converted ?? throw new SocketOperationException(SocketFailure.InvalidArgument,
            $"Cannot set {option} on {socket}: the value is an Int32 or a byte[], and {Show(value)} is neither.", socket);
    }

    private static object? TryConvert(object value, Type type)
    {
        try
        {
            return LanguagePrimitives.ConvertTo(value, type, CultureInfo.InvariantCulture);
        }
        catch (InvalidCastException)
        {
            return null;
        }
    }

    private static object? Unwrap(object? value) => value is PSObject pso ? pso.BaseObject : value;

    private static bool IsNumber(object value) => value is sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal;

    private static string Show(object? value) => value is null ? "$null" : $"'{value}' ({value.GetType().Name})";
}
