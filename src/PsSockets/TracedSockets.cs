using System.Collections.Generic;
using System.Linq;

namespace PsSockets.Commands;

/// <summary>The sockets of the session that have a trace: the open ones, then the last ones closed, by id.</summary>
internal static class TracedSockets
{
    public static IEnumerable<PsSocket> Of(SocketRegistry registry) =>
        registry.All.Where(s => s.Trace is not null).Concat(registry.ClosedTraced).DistinctBy(s => s.Id).OrderBy(s => s.Id);

    public static PsSocket? Find(SocketRegistry registry, int id) => registry.Find(id) ?? registry.ClosedTraced.LastOrDefault(s => s.Id == id);
}
