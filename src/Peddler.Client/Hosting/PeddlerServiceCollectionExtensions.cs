using System;
using System.Diagnostics.Metrics;
using System.Linq;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Peddler;
using Peddler.Diagnostics;
using Peddler.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers <c>[PeddlerClient]</c> classes in a service collection: options bound and validated at
/// start, the token endpoint called through a named <see cref="System.Net.Http.IHttpClientFactory"/>
/// client, logging, metrics and a background refresh.
/// </summary>
public static class PeddlerServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TClient"/> as a singleton with options bound from
    /// <paramref name="configuration"/> (for example <c>configuration.GetSection("Peddler")</c>,
    /// keys <c>ClientId</c>, <c>ClientSecret</c>, <c>CarrierId</c>, <c>TokenEndpoint</c>, …) by
    /// source-generated, NativeAOT-safe code.
    /// </summary>
    /// <typeparam name="TClient">The <c>[PeddlerClient]</c> class.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section holding the client's options.</param>
    /// <returns>
    /// The builder of the named <see cref="System.Net.Http.HttpClient"/> that calls the token
    /// endpoint (<c>Peddler.Token:{ClientName}</c>), to add handlers, a proxy or a primary handler.
    /// </returns>
    /// <remarks>
    /// Also registers: the options named after the class (<c>nameof(TClient)</c>), validated when
    /// the host starts with messages that name the configuration key (<c>Peddler:ClientSecret</c>)
    /// and never the secret; <see cref="IPeddlerTokenClient"/> keyed by that name; and a hosted
    /// service that renews the token in the background (<see cref="PeddlerClientOptions.BackgroundRefresh"/>);
    /// the client's <see cref="PeddlerTokenProvider"/> keyed by that name (for <see cref="PeddlerTokenProvider.ResetRefusal"/>).
    /// When the configuration changes (e.g. <c>reloadOnChange</c>, a remounted secret), the new options
    /// are validated and handed to <see cref="PeddlerTokenProvider.UpdateOptions"/>, used by the next
    /// token request; invalid ones are logged as an error naming the key (event 30, never the value)
    /// and the client keeps its last valid options. <see cref="PeddlerClientOptions.BackgroundRefresh"/> is read once, at start.
    /// The token <see cref="System.Net.Http.HttpClient"/>'s primary handler is <see cref="PeddlerHttp.CreateTokenHandler"/>
    /// (no redirects, pooled connections recycled every 5 minutes) and its <c>Timeout</c> is infinite
    /// (<see cref="PeddlerClientOptions.AttemptTimeout"/> and <see cref="PeddlerClientOptions.Timeout"/> rule).
    /// </remarks>
    public static IHttpClientBuilder AddPeddlerClient<TClient>(this IServiceCollection services, IConfiguration configuration)
        where TClient : class, IPeddlerClient<TClient>
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        (IHttpClientBuilder builder, PeddlerClientRegistry.Entry client) = AddCore<TClient>(services);
        client.ConfigurationPath = (configuration as IConfigurationSection)?.Path ?? string.Empty;
        services.AddOptions<PeddlerClientOptions>(client.Name).Bind(configuration);
        return builder;
    }

    /// <summary>Registers <typeparamref name="TClient"/> as a singleton with options set in code.</summary>
    /// <typeparam name="TClient">The <c>[PeddlerClient]</c> class.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the client's options (read the secret from configuration or a secret store).</param>
    /// <returns>The builder of the named <see cref="System.Net.Http.HttpClient"/> that calls the token endpoint.</returns>
    /// <remarks>Registers the same services as <see cref="AddPeddlerClient{TClient}(IServiceCollection, IConfiguration)"/>.</remarks>
    public static IHttpClientBuilder AddPeddlerClient<TClient>(this IServiceCollection services, Action<PeddlerClientOptions> configure)
        where TClient : class, IPeddlerClient<TClient>
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        (IHttpClientBuilder builder, PeddlerClientRegistry.Entry client) = AddCore<TClient>(services);
        services.AddOptions<PeddlerClientOptions>(client.Name).Configure(configure);
        return builder;
    }

    private static (IHttpClientBuilder Builder, PeddlerClientRegistry.Entry Client) AddCore<TClient>(IServiceCollection services)
        where TClient : class, IPeddlerClient<TClient>
    {
        string name = TClient.Descriptor.ClientName;
        (PeddlerClientRegistry.Entry client, bool added) = Registry(services).GetOrAdd(name, typeof(TClient));
        IHttpClientBuilder builder = services.AddHttpClient(PeddlerServiceNames.TokenHttpClient(name));
        if (!added)
        {
            return (builder, client);
        }

        // The secret travels in the form: the token client never follows redirects, recycles its
        // connections (DNS changes are seen) and leaves timeouts to AttemptTimeout and Timeout.
        builder.ConfigurePrimaryHttpMessageHandler(PeddlerHttp.CreateTokenHandler);
        builder.ConfigureHttpClient(static http => http.Timeout = System.Threading.Timeout.InfiniteTimeSpan);

        services.AddOptions<PeddlerClientOptions>(name).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PeddlerClientOptions>>(new PeddlerClientOptionsValidator(client, TClient.Descriptor));
        services.TryAddSingleton(static sp => PeddlerInstruments.For(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp => new PeddlerClientServices<TClient>(sp, name));
        services.TryAddSingleton(static sp => sp.GetRequiredService<PeddlerClientServices<TClient>>().Client);
        services.TryAddKeyedSingleton<IPeddlerTokenClient>(name, static (sp, _) => sp.GetRequiredService<TClient>());
        services.TryAddKeyedSingleton<PeddlerTokenProvider>(name, static (sp, _) => sp.GetRequiredService<PeddlerClientServices<TClient>>().Provider);
        services.AddSingleton<IHostedService>(static sp => new PeddlerBackgroundRefreshService<TClient>(sp.GetRequiredService<PeddlerClientServices<TClient>>()));
        return (builder, client);
    }

    private static PeddlerClientRegistry Registry(IServiceCollection services)
    {
        ServiceDescriptor? existing = services.FirstOrDefault(d => d.ServiceType == typeof(PeddlerClientRegistry) && !d.IsKeyedService);
        if (existing?.ImplementationInstance is PeddlerClientRegistry registry)
        {
            return registry;
        }

        registry = new PeddlerClientRegistry();
        services.AddSingleton(registry);
        return registry;
    }
}
