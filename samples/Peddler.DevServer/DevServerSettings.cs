using System.Collections.Generic;
using Peddler.Testing;

namespace Peddler.DevServer;

/// <summary>The "PeddlerDevServer" section of appsettings.json, overridden by the command line.</summary>
internal sealed class DevServerSettings
{
    public const string SectionName = "PeddlerDevServer";

    public string Host { get; set; } = PeddlerAuthorizationServerOptions.DefaultHost;

    public int Port { get; set; } = 5005;

    public long TokenLifetimeSeconds { get; set; } = 7200;

    public List<PeddlerClientRegistration> Clients { get; set; } = [];
}
