using System;
using System.Diagnostics.Metrics;
using System.Net.Http;
using Microsoft.Extensions.Logging;
using Peddler.Diagnostics;

namespace Peddler;

/// <summary>
/// Creates <c>[PeddlerClient]</c> classes outside a DI container with logging and a meter of your
/// choice (the generated constructor logs nothing and reports to a process-wide meter).
/// </summary>
public static class PeddlerClientFactory
{
    /// <summary>Creates a client that logs to <paramref name="loggerFactory"/> (category <c>Peddler.Client.{ClientName}</c>).</summary>
    /// <typeparam name="TClient">The <c>[PeddlerClient]</c> class.</typeparam>
    /// <param name="httpClient">Calls the token endpoint; not disposed by the client.</param>
    /// <param name="options">Client id, secret and settings; read once, now.</param>
    /// <param name="loggerFactory">Where the client logs; nowhere when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; the system clock when <see langword="null"/>.</param>
    /// <param name="meterFactory">Creates the <c>Peddler.Client</c> meter; a process-wide meter when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are incomplete or invalid.</exception>
    public static TClient Create<TClient>(
        HttpClient httpClient,
        PeddlerClientOptions options,
        ILoggerFactory? loggerFactory,
        TimeProvider? timeProvider = null,
        IMeterFactory? meterFactory = null)
        where TClient : class, IPeddlerClient<TClient>
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        string name = TClient.Descriptor.ClientName;
        ILogger? logger = loggerFactory?.CreateLogger(PeddlerLog.CategoryPrefix + name);
        PeddlerInstruments instruments = PeddlerInstruments.For(meterFactory);
        var provider = new PeddlerTokenProvider(
            httpClient,
            createHttpClient: null,
            options,
            TClient.Descriptor,
            timeProvider,
            settings => new PeddlerClientDiagnostics(name, settings.TokenEndpoint, logger, instruments),
            sharedCache: null);
        return TClient.Create(provider);
    }
}
