using System;
using System.Net.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Peddler.Diagnostics;

namespace Peddler.Hosting;

/// <summary>
/// One client's singletons in a container: the provider (token HTTP client from
/// <see cref="IHttpClientFactory"/>, clock from <see cref="TimeProvider"/>, logger, meter) and the
/// generated client class around it.
/// </summary>
internal sealed class PeddlerClientServices<TClient> : IDisposable
    where TClient : class, IPeddlerClient<TClient>
{
    private readonly IDisposable? _optionsChanged;

    public PeddlerClientServices(IServiceProvider services, string name)
    {
        IOptionsMonitor<PeddlerClientOptions> monitor = services.GetRequiredService<IOptionsMonitor<PeddlerClientOptions>>();
        PeddlerClientOptions options = monitor.Get(name);
        IHttpClientFactory httpClientFactory = services.GetRequiredService<IHttpClientFactory>();
        ILogger? logger = services.GetService<ILoggerFactory>()?.CreateLogger(PeddlerLog.CategoryPrefix + name);
        PeddlerInstruments instruments = services.GetRequiredService<PeddlerInstruments>();
        string httpClientName = PeddlerServiceNames.TokenHttpClient(name);

        // A client per acquisition, as IHttpClientFactory intends for long-lived users: handlers rotate.
        Provider = new PeddlerTokenProvider(
            httpClient: null,
            () => httpClientFactory.CreateClient(httpClientName),
            options,
            TClient.Descriptor,
            services.GetService<TimeProvider>(),
            settings => new PeddlerClientDiagnostics(name, settings.TokenEndpoint, logger, instruments),
            services.GetKeyedService<Caching.PeddlerSharedTokenCache>(name));
        Client = TClient.Create(Provider);
        BackgroundRefresh = options.BackgroundRefresh;

        // New options (a configuration reload) end a remembered refusal: the next call asks again.
        _optionsChanged = monitor.OnChange((_, changed) =>
        {
            if (changed == name)
            {
                Provider.ResetRefusal();
            }
        });
    }

    public PeddlerTokenProvider Provider { get; }

    public TClient Client { get; }

    public bool BackgroundRefresh { get; }

    public void Dispose() => _optionsChanged?.Dispose();
}

/// <summary>Names under which a client's services are registered.</summary>
internal static class PeddlerServiceNames
{
    /// <summary>The prefix of each client's named token <see cref="HttpClient"/>.</summary>
    public const string TokenHttpClientPrefix = "Peddler.Token:";

    public static string TokenHttpClient(string clientName) => TokenHttpClientPrefix + clientName;
}
