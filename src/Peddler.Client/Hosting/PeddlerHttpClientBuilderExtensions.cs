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
    public static IHttpClientBuilder AddPeddlerAccessToken<TClient>(this IHttpClientBuilder builder)
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
            return new PeddlerAccessTokenHandler(client.Client, logger);
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
