using System;
using System.Net.Http;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Duende.IdentityModel.Client;
using Peddler.Benchmarks.Support;
using Peddler.Testing;

namespace Peddler.Benchmarks;

/// <summary>
/// Group 2, cold acquisition: one token request per operation. Ours drops its cached token first,
/// so every call goes to the endpoint; each library has its own long-lived <see cref="HttpClient"/>.
/// <c>Loopback</c> calls the local authorization server over HTTP (the measurement the goal is set
/// on); the server runs in this process, so its allocations are counted too. <c>InMemory</c> ends
/// each pipeline in a handler that returns the server's token JSON at once: client-side time and
/// exact client-side bytes, without network noise.
/// </summary>
[MemoryDiagnoser]
public class ColdAcquisitionBenchmarks
{
    private PeddlerAuthorizationServer _server = null!;
    private HttpClient _peddlerHttp = null!;
    private HttpClient _duendeHttp = null!;
    private HttpClient _handHttp = null!;
    private BenchTokens _peddler = null!;
    private HandWrittenTokenClient _handWritten = null!;
    private ClientCredentialsTokenRequest _duendeRequest = null!;

    /// <summary>Where the token request goes.</summary>
    [Params("Loopback", "InMemory")]
    public string Transport { get; set; } = "Loopback";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await LocalServer.StartAsync();
        _peddlerHttp = new HttpClient(Transport == "Loopback" ? LocalServer.Handler() : new CannedTokenHandler());
        _duendeHttp = new HttpClient(Transport == "Loopback" ? LocalServer.Handler() : new CannedTokenHandler());
        _handHttp = new HttpClient(Transport == "Loopback" ? LocalServer.Handler() : new CannedTokenHandler());
        _peddler = new BenchTokens(_peddlerHttp, LocalServer.Options(_server));
        _handWritten = new HandWrittenTokenClient(_handHttp, _server.TokenEndpoint);
        _duendeRequest = new ClientCredentialsTokenRequest
        {
            Address = _server.TokenEndpoint.AbsoluteUri,
            ClientId = LocalServer.ClientId,
            ClientSecret = LocalServer.ClientSecret,
            Scope = LocalServer.Scope,
            // The default is HTTP Basic; Peddler takes client_secret_post only.
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
        };

        // Check each path once, and open each pool's connection.
        _ = await HandWritten();
        _ = await PeddlerClient();
        TokenResponse duende = await Duende();
        if (duende.IsError || string.IsNullOrEmpty(duende.AccessToken))
        {
            throw new InvalidOperationException($"Duende.IdentityModel got no token: {duende.Error} {duende.ErrorDescription}");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _peddlerHttp.Dispose();
        _duendeHttp.Dispose();
        _handHttp.Dispose();
        await _server.DisposeAsync();
    }

    /// <summary>The floor: pre-encoded body, one POST, one source-generated deserialization.</summary>
    [Benchmark(Baseline = true)]
    public Task<HandWrittenToken> HandWritten() => _handWritten.AcquireAsync();

    /// <summary>Ours with the cache dropped first: validation, retry loop, timeout and single-flight included.</summary>
    [Benchmark]
    public async Task<PeddlerAccessToken> PeddlerClient()
    {
        _peddler.InvalidateToken();
        return await _peddler.GetTokenAsync();
    }

    /// <summary>
    /// Diagnostic row: the hand-written call started with <c>Task.Run</c>, as our client starts its shared
    /// request. Its difference from <see cref="HandWritten"/> is the cost of that thread-pool hop alone.
    /// </summary>
    [Benchmark]
    public Task<HandWrittenToken> HandWrittenViaTaskRun() => Task.Run(() => _handWritten.AcquireAsync());

    /// <summary>Duende.IdentityModel 8.1.0's <c>RequestClientCredentialsTokenAsync</c>, secret in the body.</summary>
    [Benchmark]
    public Task<TokenResponse> Duende() => _duendeHttp.RequestClientCredentialsTokenAsync(_duendeRequest);

    /// <summary>Answers every request with the body Peddler.Testing sends for a token, at once.</summary>
    private sealed class CannedTokenHandler : HttpMessageHandler
    {
        private static readonly byte[] Body = System.Text.Encoding.UTF8.GetBytes(
            "{\"access_token\":\"x6c0u6nOKfLQ0vQ8CqIX5kvbbGP0w3SU3T6ZnT0yPNk\",\"expires_in\":7200,\"scope\":\"DEFAULT authenticated 900001\",\"token_type\":\"Bearer\"}");

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, System.Threading.CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(Body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }
}
