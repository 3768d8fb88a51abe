namespace Peddler.Generators;

/// <summary>Names of the tracked pipeline steps, for incremental-caching tests.</summary>
internal static class TrackingNames
{
    /// <summary>Annotated classes turned into models.</summary>
    public const string Clients = nameof(Clients);

    /// <summary>Models of the classes that can be completed.</summary>
    public const string ValidClients = nameof(ValidClients);

    /// <summary>The name of the compilation's shared JSON context.</summary>
    public const string JsonContextName = nameof(JsonContextName);

    /// <summary>Whether the compilation has any client (and so needs the JSON context).</summary>
    public const string AnyClient = nameof(AnyClient);

    /// <summary>Shape errors the generator reports.</summary>
    public const string Diagnostics = nameof(Diagnostics);
}
