using System;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Logging;
using Peddler;
using Peddler.Diagnostics;
using Peddler.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Peddler access tokens to the requests of an <see cref="System.Net.Http.IHttpClientFactory"/> client.</summary>
public static class PeddlerHttpClientBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="PeddlerAccessTokenHandler"/> that sends <typeparamref name="TClient"/>'s
    /// token as <c>Authorization: Bearer …</c> and, on a 401, retries once with a fresh token
    /// when the request can be replayed. Also makes the client's HTTP logging redact the
    /// <c>Authorization</c> header (in addition to whatever it already redacts).
    /// </summary>
    /// <typeparam name="TClient">A <c>[PeddlerClient]</c> class registered with <c>AddPeddlerClient</c>.</typeparam>
    /// <param name="builder">The API client's builder, e.g. from <c>services.AddHttpClient("peddler-api")</c>.</param>
    /// <returns>The same builder.</returns>
    /// <remarks>
    /// For a client whose <c>Scopes</c> contain <c>{CarrierId}</c>, a request that sets
    /// <see cref="PeddlerRequestOptions.CarrierId"/> in its options carries that carrier's token
    /// (<see cref="PeddlerTokenProvider.ForCarrier"/>).
    /// </remarks>
    public static IHttpClientBuilder AddPeddlerAccessToken<TClient>(this IHttpClientBuilder builder)
        where TClient : class, IPeddlerClient<TClient> =>
        AddCore<TClient>(builder, null);

    /// <summary>
    /// Adds a <see cref="PeddlerAccessTokenHandler"/> like <see cref="AddPeddlerAccessToken{TClient}(IHttpClientBuilder)"/>
    /// that picks the carrier of each request: <see cref="PeddlerRequestOptions.CarrierId"/> in the
    /// request's options, else <paramref name="selectCarrier"/>'s answer (<see langword="null"/> or
    /// empty: the client's own carrier).
    /// </summary>
    /// <typeparam name="TClient">A <c>[PeddlerClient]</c> class with <c>{CarrierId}</c> in its <c>Scopes</c>, registered with <c>AddPeddlerClient</c>.</typeparam>
    /// <param name="builder">The API client's builder.</param>
    /// <param name="selectCarrier">Returns the carrier id of a request, e.g. from a header or the ambient tenant.</param>
    /// <returns>The same builder.</returns>
    public static IHttpClientBuilder AddPeddlerAccessToken<TClient>(this IHttpClientBuilder builder, Func<System.Net.Http.HttpRequestMessage, string?> selectCarrier)
        where TClient : class, IPeddlerClient<TClient>
    {
        ArgumentNullException.ThrowIfNull(selectCarrier);
        return AddCore<TClient>(builder, selectCarrier);
    }

    private static IHttpClientBuilder AddCore<TClient>(IHttpClientBuilder builder, Func<System.Net.Http.HttpRequestMessage, string?>? selectCarrier)
        where TClient : class, IPeddlerClient<TClient>
    {
        ArgumentNullException.ThrowIfNull(builder);
        string name = TClient.Descriptor.ClientName;
        builder.AddHttpMessageHandler(sp =>
        {
            PeddlerClientServices<TClient> client = sp.GetService<PeddlerClientServices<TClient>>()
                ?? throw new InvalidOperationException(
                    $"AddPeddlerAccessToken<{name}>() needs the client registered: call services.AddPeddlerClient<{name}>(…) too.");
            ILogger? logger = sp.GetService<ILoggerFactory>()?.CreateLogger(PeddlerLog.CategoryPrefix + name);
            return new PeddlerAccessTokenHandler(client.Client, logger, client.Provider, selectCarrier);
        });

        builder.Services.Configure<HttpClientFactoryOptions>(builder.Name, options =>
        {
            Func<string, bool> alsoRedacted = options.ShouldRedactHeaderValue;
            options.ShouldRedactHeaderValue = header =>
                string.Equals(header, "Authorization", StringComparison.OrdinalIgnoreCase) || alsoRedacted(header);
        });
        return builder;
    }
}
