using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Identity.Client;
using Peddler.Testing;

namespace Peddler.Benchmarks.Support;

/// <summary>
/// Points MSAL.NET at the local authorization server. MSAL 4.92 accepts only <c>https</c>
/// authorities, and <c>WithOidcAuthority</c> would first fetch a discovery document the local
/// server does not serve, so MSAL is given an Entra-shaped authority with instance discovery off,
/// and its <see cref="IMsalHttpClientFactory"/> returns an <see cref="HttpClient"/> whose handler
/// sends every request to the local token endpoint over loopback HTTP. MSAL's request (form body
/// with <c>client_id</c>, <c>client_secret</c>, <c>scope</c>, <c>grant_type</c>) is accepted by the
/// local server unchanged, so the server answers MSAL exactly as it answers us.
/// </summary>
internal sealed class MsalLoopback : IMsalHttpClientFactory, IDisposable
{
    // Never contacted: every request is redirected to the local server.
    public const string Authority = "https://login.microsoftonline.com/peddler-benchmarks";

    private readonly HttpClient _httpClient;
    private readonly RedirectHandler _redirect;

    public MsalLoopback(PeddlerAuthorizationServer server, HttpMessageHandler? inner = null)
    {
        _redirect = new RedirectHandler(server.TokenEndpoint, inner ?? LocalServer.Handler());
        _httpClient = new HttpClient(_redirect);
    }

    /// <summary>HTTP requests MSAL has sent through this factory.</summary>
    public int RequestCount => _redirect.RequestCount;

    public HttpClient GetHttpClient() => _httpClient;

    /// <summary>A confidential client app as MSAL documents it for client credentials with a secret.</summary>
    public IConfidentialClientApplication CreateApp() =>
        ConfidentialClientApplicationBuilder.Create(LocalServer.ClientId)
            .WithClientSecret(LocalServer.ClientSecret)
            .WithAuthority(Authority)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(this)
            .Build();

    public static readonly string[] Scopes = LocalServer.Scope.Split(' ');

    public void Dispose() => _httpClient.Dispose();

    private sealed class RedirectHandler(Uri target, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private int _requestCount;

        public int RequestCount => Volatile.Read(ref _requestCount);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requestCount);
            request.RequestUri = target;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
