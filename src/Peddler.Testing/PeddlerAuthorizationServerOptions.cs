using System;
using System.Collections.Generic;

namespace Peddler.Testing;

/// <summary>
/// Settings of a <see cref="PeddlerAuthorizationServer"/>. The server copies them when it is
/// constructed; later changes to this object have no effect on it.
/// </summary>
/// <remarks>
/// Every property but <see cref="TimeProvider"/> binds from configuration, for example a
/// section <c>{ "Host": "127.0.0.1", "Port": 5005, "TokenLifetime": "02:00:00", "Clients": [ … ] }</c>.
/// </remarks>
public sealed class PeddlerAuthorizationServerOptions
{
    /// <summary>The default <see cref="Host"/>: the IPv4 loopback address.</summary>
    public const string DefaultHost = "127.0.0.1";

    /// <summary>
    /// The address to listen on: an IP address literal (IPv6 with or without brackets) or
    /// <c>localhost</c> (which means <c>127.0.0.1</c>). Default <c>127.0.0.1</c>, so the server is
    /// reachable from this machine only; set another address explicitly to expose it.
    /// </summary>
    public string Host { get; set; } = DefaultHost;

    /// <summary>The TCP port to listen on; 0 (the default) picks a free port.</summary>
    public int Port { get; set; }

    /// <summary>
    /// The lifetime of issued tokens, sent as <c>expires_in</c> in whole seconds (fractions are
    /// dropped). Default 7200 seconds, as in Peddler's documented response.
    /// </summary>
    public TimeSpan TokenLifetime { get; set; } = PeddlerAuthorizationServer.DefaultTokenLifetime;

    /// <summary>
    /// The clock for token expiry, request timestamps and <see cref="PeddlerFault.Delay"/> faults.
    /// Default <see cref="System.TimeProvider.System"/>; pass a fake clock to test expiry without waiting.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The clients the server accepts from the start; more can be added with <see cref="PeddlerAuthorizationServer.AddClient"/>.</summary>
    public IList<PeddlerClientRegistration> Clients { get; } = new List<PeddlerClientRegistration>();
}
