using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Peddler.Testing;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>PeddlerTokenProvider.UpdateOptions outside a host: rotation over real HTTP.</summary>
public class RotationTests
{
    private const string RotatedSecret = "fake-rotated-secret-for-tests";
    private const string WrongSecret = "fake-wrong-secret-for-tests";

    private static string SentSecret(RecordedRequest request) =>
        Encoding.ASCII.GetString(request.Body).Split('&')
            .Select(pair => pair.Split('='))
            .Single(pair => pair[0] == "client_secret")[1];

    [Fact]
    public async Task A_new_secret_is_used_by_the_next_request_and_the_cached_token_stays_in_service()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        (PeddlerTokenProvider provider, CarrierTokens tokens) = Clients.Create(env.Http, env.Options());
        PeddlerAccessToken first = await tokens.GetTokenAsync();

        // Rotated on Peddler's side (the old secret is refused from now on), then in the client.
        env.Server.AddClient(Fake.ClientId, RotatedSecret, Fake.Carrier);
        provider.UpdateOptions(env.Options(secret: RotatedSecret));

        // A rotated secret does not revoke issued tokens: the cached one is still served.
        Assert.Same(first, Clients.WithoutWaiting(tokens.GetTokenAsync()));
        Assert.Equal(1, env.Server.TokenRequestCount);

        tokens.InvalidateToken(first);
        PeddlerAccessToken second = await tokens.GetTokenAsync();

        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal([Fake.Secret, RotatedSecret], env.Recorder.Requests.Select(SentSecret));
        Assert.Equal([200, 200], env.Server.TokenRequests.Select(r => r.StatusCode ?? 0));
    }

    [Fact]
    public async Task Invalid_options_are_refused_naming_the_setting_and_the_provider_keeps_its_last_valid_ones()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        (PeddlerTokenProvider provider, CarrierTokens tokens) = Clients.Create(env.Http, env.Options());

        PeddlerClientOptions noSecret = env.Options(secret: string.Empty);
        ArgumentException missing = Assert.Throws<ArgumentException>(() => provider.UpdateOptions(noSecret));
        Assert.Contains("PeddlerClientOptions.ClientSecret", missing.Message, StringComparison.Ordinal);

        // A secret pasted into a (non-loopback http) endpoint: named, never printed.
        PeddlerClientOptions leaky = env.Options(secret: RotatedSecret);
        leaky.TokenEndpoint = new Uri($"http://user:{RotatedSecret}@auth.example.com/oauth/token");
        ArgumentException endpoint = Assert.Throws<ArgumentException>(() => provider.UpdateOptions(leaky));
        Assert.Contains("TokenEndpoint", endpoint.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(RotatedSecret, endpoint.ToString(), StringComparison.Ordinal);

        Assert.Equal(env.Server.TokenEndpoint, provider.TokenEndpoint);
        await tokens.GetTokenAsync();
        Assert.Equal([Fake.Secret], env.Recorder.Requests.Select(SentSecret));
    }

    [Fact]
    public async Task New_options_end_a_remembered_refusal()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        (PeddlerTokenProvider provider, CarrierTokens tokens) = Clients.Create(env.Http, env.Options(secret: WrongSecret));
        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await tokens.GetTokenAsync());
        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await tokens.GetTokenAsync());
        Assert.Equal(1, env.Server.TokenRequestCount);
        Assert.NotNull(provider.Cache.Health().Refusal);

        provider.UpdateOptions(env.Options());
        Assert.Null(provider.Cache.Health().Refusal);
        await tokens.GetTokenAsync();

        Assert.Equal(2, env.Server.TokenRequestCount);
        Assert.Equal([WrongSecret, Fake.Secret], env.Recorder.Requests.Select(SentSecret));
    }

    [Fact]
    public async Task A_refusal_of_a_request_sent_with_replaced_options_is_retried_once_at_once_with_the_new_ones()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        var recorder = new RecordingHandler(new SocketsHttpHandler());
        var gate = new ResponseGate(recorder);
        using var http = new HttpClient(gate);
        (PeddlerTokenProvider provider, CarrierTokens tokens) = Clients.Create(http, env.Options(secret: WrongSecret));

        Task<PeddlerAccessToken> call = tokens.GetTokenAsync().AsTask();

        // The server's real 403 to the old secret is in hand; the secret is rotated before the client reads it.
        await gate.FirstResponse.WaitAsync(Clients.Patience);
        provider.UpdateOptions(env.Options());
        gate.Release();
        PeddlerAccessToken token = await call.WaitAsync(Clients.Patience);

        Assert.False(string.IsNullOrEmpty(token.AccessToken));
        Assert.Equal([403, 200], env.Server.TokenRequests.Select(r => r.StatusCode ?? 0));
        Assert.Equal([WrongSecret, Fake.Secret], recorder.Requests.Select(SentSecret));
        Assert.Null(provider.Cache.Health().Refusal);
    }

    [Fact]
    public async Task A_refusal_with_the_new_options_is_not_retried_again()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        var recorder = new RecordingHandler(new SocketsHttpHandler());
        var gate = new ResponseGate(recorder);
        using var http = new HttpClient(gate);
        (PeddlerTokenProvider provider, CarrierTokens tokens) = Clients.Create(http, env.Options(secret: WrongSecret));

        Task<PeddlerAccessToken> call = tokens.GetTokenAsync().AsTask();
        await gate.FirstResponse.WaitAsync(Clients.Patience);
        provider.UpdateOptions(env.Options(secret: WrongSecret + "-2"));
        gate.Release();

        PeddlerAuthenticationException refused = await Assert.ThrowsAsync<PeddlerAuthenticationException>(() => call.WaitAsync(Clients.Patience));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(2, env.Server.TokenRequestCount);

        // Refused with the current options: remembered as usual.
        Assert.NotNull(provider.Cache.Health().Refusal);
    }

    [Fact]
    public async Task A_new_carrier_drops_the_cached_token_of_the_old_one()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        PeddlerClientOptions options = env.Options();
        options.CarrierId = Fake.Carrier;
        var provider = new PeddlerTokenProvider(env.Http, options, ConfiguredCarrierTokens.Descriptor);
        PeddlerAccessToken first = await provider.GetTokenAsync();
        Assert.Equal("DEFAULT authenticated 900001", first.Scope);

        env.Server.AddClient(Fake.ClientId, Fake.Secret, "900002");
        options.CarrierId = "900002";
        provider.UpdateOptions(options);
        PeddlerAccessToken second = await provider.GetTokenAsync();

        Assert.Equal("DEFAULT authenticated 900002", second.Scope);
        Assert.Equal("DEFAULT authenticated 900002", provider.RequestedScope);
        Assert.Equal(2, env.Server.TokenRequestCount);
    }

    /// <summary>Sends every request for real; holds the first real response until released.</summary>
    private sealed class ResponseGate(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        private readonly TaskCompletionSource _firstResponse = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _responses;

        public Task FirstResponse => _firstResponse.Task;

        public void Release() => _release.TrySetResult();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            if (Interlocked.Increment(ref _responses) == 1)
            {
                _firstResponse.TrySetResult();
                await _release.Task.WaitAsync(cancellationToken);
            }

            return response;
        }
    }
}
