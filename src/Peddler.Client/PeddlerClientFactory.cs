using System;
using System.Diagnostics.Metrics;
using System.Net.Http;
using Microsoft.Extensions.Logging;
using Peddler.Diagnostics;

namespace Peddler;

/// <summary>
/// Creates <c>[PeddlerClient]</c> classes outside a DI container: without bringing an
/// <see cref="HttpClient"/> (the library's own, which never follows redirects), and with logging
/// and a meter of your choice (the generated constructor logs nothing and reports to a
/// process-wide meter).
/// </summary>
public static class PeddlerClientFactory
{
    /// <summary>
    /// Creates a client that calls the token endpoint through <see cref="PeddlerHttp.Shared"/>: a
    /// library-owned <see cref="SocketsHttpHandler"/> that never follows a redirect and recycles
    /// its connections every <see cref="PeddlerHttp.PooledConnectionLifetime"/>, so DNS changes are seen.
    /// </summary>
    /// <typeparam name="TClient">The <c>[PeddlerClient]</c> class.</typeparam>
    /// <param name="options">Client id, secret and settings; read once, now.</param>
    /// <param name="loggerFactory">Where the client logs (category <c>Peddler.Client.{ClientName}</c>); nowhere when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; the system clock when <see langword="null"/>.</param>
    /// <param name="meterFactory">Creates the <c>Peddler.Client</c> meter; a process-wide meter when <see langword="null"/>.</param>
    /// <exception cref="ArgumentException">The options are incomplete or invalid.</exception>
    public static TClient Create<TClient>(
        PeddlerClientOptions options,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        IMeterFactory? meterFactory = null)
        where TClient : class, IPeddlerClient<TClient>
        => Create<TClient>(PeddlerHttp.Shared, options, loggerFactory, timeProvider, meterFactory);

    /// <summary>Creates a client around a provider you made (e.g. to keep it for <see cref="PeddlerTokenProvider.ResetRefusal"/>).</summary>
    /// <typeparam name="TClient">The <c>[PeddlerClient]</c> class.</typeparam>
    /// <param name="tokenProvider">A provider made with <c>TClient.Descriptor</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="tokenProvider"/> was made for another client.</exception>
    public static TClient Create<TClient>(PeddlerTokenProvider tokenProvider)
        where TClient : class, IPeddlerClient<TClient>
        => TClient.Create(tokenProvider ?? throw new ArgumentNullException(nameof(tokenProvider)));

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
