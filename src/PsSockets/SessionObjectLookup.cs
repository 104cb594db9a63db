using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;

namespace PsSockets.Commands;

/// <summary>What Get-Socket, Get-SocketServer and Get-SocketRelay look up: by id, by name (wildcards), or all.</summary>
internal static class SessionObjectLookup
{
    /// <summary>
    /// The objects asked for, each with the id or name that found it; an id or a plain name (no wildcard) that
    /// finds nothing comes back as a null item with that key, for the cmdlet's not-found error.
    /// </summary>
    public static IEnumerable<(T? Item, string Key, string What)> Find<T>(IReadOnlyList<T> all, int[]? ids, string[]? names)
        where T : class, ISessionObject
    {
        if (ids is not null)
        {
            foreach (int id in ids)
            {
                yield return (all.FirstOrDefault(o => o.Id == id), id.ToString(CultureInfo.InvariantCulture), "id");
            }
            yield break;
        }
        if (names is not null)
        {
            foreach (string name in names)
            {
                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                var matches = all.Where(o => o.Name is not null && pattern.IsMatch(o.Name)).ToList();
                foreach (var match in matches)
                {
                    yield return (match, name, "name");
                }
                if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                {
                    yield return (null, name, "name");
                }
            }
            yield break;
        }
        foreach (var item in all)
        {
            yield return (item, string.Empty, string.Empty);
        }
    }
}
