namespace PsSockets;

/// <summary>Something a session keeps and a parameter may name by id or name: a relay, a server.</summary>
public interface ISessionObject
{
    int Id { get; }

    string? Name { get; }
}
