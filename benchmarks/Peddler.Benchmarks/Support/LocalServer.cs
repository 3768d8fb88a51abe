using System;
using System.Net.Http;
using System.Threading.Tasks;
using Peddler.Testing;

namespace Peddler.Benchmarks.Support;

/// <summary>The local authorization server on 127.0.0.1 and the one client registered on it.</summary>
internal static class LocalServer
{
    public const string ClientId = "bench-client";
    public const string ClientSecret = "bench-secret-not-real";
    public const string CarrierId = "900001";

    /// <summary>The scope <see cref="BenchTokens"/> requests; the other libraries request the same.</summary>
    public const string Scope = BenchTokens.Scopes;

    public static async Task<PeddlerAuthorizationServer> StartAsync()
    {
        var server = new PeddlerAuthorizationServer();
        server.AddClient(ClientId, ClientSecret, CarrierId);
        await server.StartAsync();
        return server;
    }

    /// <summary>Options for <see cref="BenchTokens"/> pointing at <paramref name="server"/>.</summary>
    public static PeddlerClientOptions Options(PeddlerAuthorizationServer server) => new()
    {
        ClientId = ClientId,
        ClientSecret = ClientSecret,
        TokenEndpoint = server.TokenEndpoint,
    };

    /// <summary>A pooled HTTP/1.1 handler, as an <c>IHttpClientFactory</c> would hand out.</summary>
    public static SocketsHttpHandler Handler(int maxConnectionsPerServer = int.MaxValue) => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        MaxConnectionsPerServer = maxConnectionsPerServer,
        UseCookies = false,
        UseProxy = false,
    };
}
