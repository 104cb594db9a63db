using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;

namespace PsSockets.Commands;

/// <summary>
/// A certificate parameter takes an X509Certificate2, or the path of a PEM (certificate and key in one file),
/// PFX or DER file, resolved against the current location. On a collection parameter (-CertificateAuthority)
/// a path may be a PEM bundle of several certificates.
/// </summary>
public sealed class CertificateTransformationAttribute : ArgumentTransformationAttribute
{
    /// <summary>For a parameter of type X509Certificate2Collection: a path may hold several certificates (a PEM bundle).</summary>
    public bool Collection { get; set; }

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject pso ? pso.BaseObject : inputData;
        return value switch
        {
            X509Certificate2 one when Collection => new X509Certificate2Collection(one),
            null or X509Certificate2 => value,
            X509Certificate2Collection all => all,
            string or FileInfo when Collection => Collect(engineIntrinsics, new[] { value }),
            string path => Load(engineIntrinsics, path),
            FileInfo file => Load(engineIntrinsics, file.FullName),
            IEnumerable items => Collect(engineIntrinsics, items),
            X509Certificate other => new X509Certificate2(other),
            _ => throw new ArgumentTransformationMetadataException($"A certificate is an X509Certificate2 or the path of a PEM, PFX or DER file, not {value.GetType().Name}."),
        };
    }

    private static X509Certificate2Collection Collect(EngineIntrinsics engine, IEnumerable items)
    {
        var all = new X509Certificate2Collection();
        foreach (var item in items.Cast<object?>().Select(i => i is PSObject p ? p.BaseObject : i))
        {
            switch (item)
            {
                case X509Certificate2 one:
                    all.Add(one);
                    break;
                case string or FileInfo:
                    all.AddRange(LoadAll(engine, item is FileInfo f ? f.FullName : (string)item));
                    break;
                default:
                    throw new ArgumentTransformationMetadataException($"A certificate is an X509Certificate2 or the path of a PEM, PFX or DER file, not {item?.GetType().Name ?? "null"}.");
            }
        }
        return all;
    }

    private static object Load(EngineIntrinsics engine, string path) => Loaded(() => CertificateFiles.Load(Resolve(engine, path)));

    private static X509Certificate2Collection LoadAll(EngineIntrinsics engine, string path) => Loaded(() => CertificateFiles.LoadAll(Resolve(engine, path)));

    /// <summary>A file that is no certificate fails the binding, with the core's words for why.</summary>
    private static T Loaded<T>(System.Func<T> load)
    {
        try
        {
            return load();
        }
        catch (SocketOperationException e)
        {
            throw new ArgumentTransformationMetadataException(e.Message, e);
        }
    }

    private static string Resolve(EngineIntrinsics engine, string path)
    {
        string file = engine.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
        return File.Exists(file) ? file : throw new ArgumentTransformationMetadataException($"Cannot find the certificate file '{file}'.");
    }
}
