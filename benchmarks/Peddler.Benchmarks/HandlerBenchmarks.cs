using System;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Peddler.Benchmarks.Support;
using Peddler.Testing;

namespace Peddler.Benchmarks;

/// <summary>
/// Group 4, handler overhead: one API call through <see cref="PeddlerAccessTokenHandler"/> (what
/// <c>AddPeddlerAccessToken&lt;T&gt;()</c> adds), which attaches the token from a warm
/// <c>GetTokenAsync</c> per request, against the same call with the token set once as a static
/// default header. <c>Loopback</c> calls the local server's bearer-protected
/// <c>GET /api/carrier</c>; <c>InMemory</c> ends the pipeline in a handler that answers 200 at once,
/// so that the handler's own cost is not hidden by the network.
/// </summary>
[MemoryDiagnoser]
public class HandlerBenchmarks
{
    private PeddlerAuthorizationServer _server = null!;
    private HttpClient _tokenHttp = null!;
    private HttpClient _withHandler = null!;
    private HttpClient _withStaticHeader = null!;
    private Uri _api = null!;

    /// <summary>Where the API call goes.</summary>
    [Params("Loopback", "InMemory")]
    public string Transport { get; set; } = "Loopback";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await LocalServer.StartAsync();
        _tokenHttp = new HttpClient(LocalServer.Handler());
        var tokens = new BenchTokens(_tokenHttp, LocalServer.Options(_server));
        PeddlerAccessToken token = await tokens.GetTokenAsync();
        _api = _server.ApiEndpoint;

        bool loopback = Transport == "Loopback";
        _withHandler = new HttpClient(new PeddlerAccessTokenHandler(tokens) { InnerHandler = loopback ? LocalServer.Handler() : new AnswerOkHandler() });
        _withStaticHeader = new HttpClient(loopback ? LocalServer.Handler() : new AnswerOkHandler());
        _withStaticHeader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);

        // Both must be accepted by the bearer-protected endpoint (or reach the in-memory end with a token).
        await StaticHeader();
        await PeddlerHandler();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _withHandler.Dispose();
        _withStaticHeader.Dispose();
        _tokenHttp.Dispose();
        await _server.DisposeAsync();
    }

    /// <summary>The token fixed once in <see cref="HttpClient.DefaultRequestHeaders"/>: no refresh, the floor.</summary>
    [Benchmark(Baseline = true)]
    public async Task StaticHeader()
    {
        using HttpResponseMessage response = await _withStaticHeader.GetAsync(_api);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The token attached per request by <see cref="PeddlerAccessTokenHandler"/> from our warm cache.</summary>
    [Benchmark]
    public async Task PeddlerHandler()
    {
        using HttpResponseMessage response = await _withHandler.GetAsync(_api);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Answers 200 to any request that carries a bearer token, 401 otherwise.</summary>
    private sealed class AnswerOkHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(
                request.Headers.Authorization is { Scheme: "Bearer", Parameter.Length: > 0 } ? HttpStatusCode.OK : HttpStatusCode.Unauthorized)
            {
                RequestMessage = request,
            });
    }
}
