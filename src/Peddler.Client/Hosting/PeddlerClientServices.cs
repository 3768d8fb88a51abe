using System;
using System.Collections.Generic;
using System.Net.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
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
    private readonly List<IDisposable> _optionsChanged = [];

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

        // Rotation: each change of the client's options source (a configuration reload) is built
        // and validated afresh and handed to the provider. Not IOptionsMonitor.OnChange: when the
        // new options fail validation the monitor throws before calling its listeners, and the
        // failure must be logged while the provider keeps its last valid options.
        IOptionsFactory<PeddlerClientOptions> factory = services.GetRequiredService<IOptionsFactory<PeddlerClientOptions>>();
        foreach (IOptionsChangeTokenSource<PeddlerClientOptions> source in services.GetServices<IOptionsChangeTokenSource<PeddlerClientOptions>>())
        {
            if ((source.Name ?? Options.DefaultName) == name)
            {
                _optionsChanged.Add(ChangeToken.OnChange(source.GetChangeToken, () => OptionsChanged(factory, name)));
            }
        }
    }

    /// <summary>Validates the client's new options (configuration-key messages) and hands them to the provider, or logs why not.</summary>
    private void OptionsChanged(IOptionsFactory<PeddlerClientOptions> factory, string name)
    {
        PeddlerClientDiagnostics diagnostics = Provider.Diagnostics;
        try
        {
            PeddlerClientOptions options = factory.Create(name);
            Provider.UpdateOptions(options);
        }
        catch (OptionsValidationException ex)
        {
            // The validator's messages name configuration keys and never contain the secret.
            foreach (string failure in ex.Failures)
            {
                PeddlerLog.OptionsChangeRejected(diagnostics.Logger, failure);
            }

            return;
        }
        catch (ArgumentException ex)
        {
            PeddlerLog.OptionsChangeRejected(diagnostics.Logger, ex.Message);
            return;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            // A value configuration binding cannot convert (e.g. "Timeout": "soon"): the message
            // names the key; the value of a secret is a string and always binds.
            PeddlerLog.OptionsChangeRejected(diagnostics.Logger, ex.Message);
            return;
        }

        PeddlerLog.OptionsChanged(Provider.Diagnostics.Logger, Provider.Diagnostics.TokenEndpoint, Provider.RequestedScope);
    }

    public PeddlerTokenProvider Provider { get; }

    public TClient Client { get; }

    public bool BackgroundRefresh { get; }

    public void Dispose()
    {
        foreach (IDisposable subscription in _optionsChanged)
        {
            subscription.Dispose();
        }
    }
}

/// <summary>Names under which a client's services are registered.</summary>
internal static class PeddlerServiceNames
{
    /// <summary>The prefix of each client's named token <see cref="HttpClient"/>.</summary>
    public const string TokenHttpClientPrefix = "Peddler.Token:";

    public static string TokenHttpClient(string clientName) => TokenHttpClientPrefix + clientName;
}
