using System;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>Checks a -Proxy address at binding; the error never shows a password written in it.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property)]
public sealed class ValidateProxyAddressAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        if (arguments is string text)
        {
            try
            {
                ProxyAddress.Parse(text);
            }
            catch (SocketOperationException e)
            {
                throw new ValidationMetadataException(e.Message);
            }
        }
    }
}
