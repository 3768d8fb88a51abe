using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Peddler.Caching;
using Peddler.Core;
using Peddler.Diagnostics;
using Peddler.Testing;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>
/// A carrier's client and the client core around it: a refusal of the client's credentials seen by
/// one carrier, a carrier's settings after a rotation, the diagnostics a rotation keeps or
/// replaces, and a fleet cache answering for the endpoint.
/// </summary>
public sealed class CarrierClientTests
{
    private const string Carrier = "900001";
    private const string Other = "900002";

    private sealed record Setup(TestEnvironment Env, FakeTimeProvider Time, PeddlerTokenProvider Provider, ListLoggerFactory Logs, Func<int> DiagnosticsCreated) : IAsyncDisposable
    {
        public int Requests => Env.Server.TokenRequestCount;

        public CarrierClient Carrier(string id) => Assert.IsType<CarrierClient>(Provider.ForCarrier(id));

        public ValueTask DisposeAsync() => Env.DisposeAsync();
    }

    private static async Task<Setup> StartAsync(PeddlerSharedTokenCache? fleet = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        TestEnvironment env = await TestEnvironment.StartAsync(serverTime: time, carrier: null);
        env.Server.AddCarriers(Fake.ClientId, [Carrier, Other]);
        var logs = new ListLoggerFactory();
        int created = 0;
        PeddlerClientOptions options = env.Options();
        options.MaxRetries = 0;
        var provider = new PeddlerTokenProvider(
            env.Http,
            createHttpClient: null,
            options,
            ConfiguredCarrierTokens.Descriptor,
            time,
            settings =>
            {
                Interlocked.Increment(ref created);
                return new PeddlerClientDiagnostics(nameof(ConfiguredCarrierTokens), settings.TokenEndpoint, logs.CreateLogger("Peddler.Client.ConfiguredCarrierTokens"), PeddlerInstruments.For(null));
            },
            fleet);
        return new Setup(env, time, provider, logs, () => Volatile.Read(ref created));
    }

    private static PeddlerFault RefusedClient() =>
        PeddlerFault.Respond(403, "application/json", """{"error":"access_denied","error_description":"fake refusal of the client for tests"}""");

    [Fact]
    public async Task A_refusal_of_the_client_seen_by_one_carrier_holds_every_carrier_back_and_dropping_a_token_does_not_lift_it()
    {
        await using Setup s = await StartAsync();
        await s.Provider.GetCarrierTokenAsync(Carrier);
        s.Env.Server.Faults.Enqueue(RefusedClient());

        var refused = await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await s.Provider.GetCarrierTokenAsync(Other));
        Assert.Equal("access_denied", refused.Error);
        Assert.Equal(2, s.Requests);

        // The carrier that saw it remembers it as its last failure; the log line says every carrier waits.
        Assert.Same(refused, s.Carrier(Other).Health().LastFailure);
        var line = Assert.Single(s.Logs.Records, r => r.Id.Id == 7);
        Assert.Contains("every carrier of the client waits out this window", line.Message, StringComparison.Ordinal);

        // Dropping another carrier's token (a 401 from the API) is not a token for the client: the refusal stands.
        s.Carrier(Carrier).InvalidateToken();
        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await s.Provider.GetCarrierTokenAsync(Other));
        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await s.Provider.GetCarrierTokenAsync(Carrier));
        Assert.Equal(2, s.Requests);

        // After the window, one carrier's token lifts it for all.
        s.Time.Advance(Backoff.Refusal(1));
        await s.Provider.GetCarrierTokenAsync(Carrier);
        Assert.Equal(3, s.Requests);
        await s.Provider.GetCarrierTokenAsync(Other);
        Assert.Equal(4, s.Requests);
    }

    [Fact]
    public async Task After_a_rotation_a_carrier_keeps_one_derived_generation_so_its_refusal_is_remembered()
    {
        await using Setup s = await StartAsync();
        PeddlerClientOptions rotated = s.Env.Options();
        rotated.MaxRetries = 0;
        rotated.RefreshMargin = TimeSpan.FromMinutes(7);
        CarrierClient unknown = s.Carrier("999999");
        s.Provider.UpdateOptions(rotated);

        Assert.Same(unknown.Generation, unknown.Generation);
        Assert.Same(s.Provider.Core.Generation, unknown.Generation.Root);
        Assert.Equal(TimeSpan.FromMinutes(7), unknown.Generation.Settings.RefreshMargin);

        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await unknown.GetTokenAsync());
        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await unknown.GetTokenAsync());
        Assert.Equal(1, s.Requests);
    }

    [Fact]
    public async Task A_rotation_keeps_the_diagnostics_of_an_unchanged_endpoint_and_makes_new_ones_for_a_new_endpoint()
    {
        await using Setup s = await StartAsync();
        Assert.Equal(1, s.DiagnosticsCreated());
        PeddlerClientDiagnostics first = s.Provider.Diagnostics;

        PeddlerClientOptions sameEndpoint = s.Env.Options();
        sameEndpoint.RefreshMargin = TimeSpan.FromMinutes(7);
        s.Provider.UpdateOptions(sameEndpoint);
        Assert.Equal(1, s.DiagnosticsCreated());
        Assert.Same(first, s.Provider.Diagnostics);

        PeddlerClientOptions moved = s.Env.Options();
        moved.TokenEndpoint = new Uri(s.Env.Server.TokenEndpoint.GetLeftPart(UriPartial.Authority) + "/moved/oauth/token");
        s.Provider.UpdateOptions(moved);
        Assert.Equal(2, s.DiagnosticsCreated());
        Assert.NotSame(first, s.Provider.Diagnostics);
        Assert.Equal(moved.TokenEndpoint, s.Provider.TokenEndpoint);
    }

    [Fact]
    public async Task A_token_the_fleet_cache_answers_with_is_cached_without_a_request_of_this_instance()
    {
        var fleet = new AnsweringFleet(new PeddlerAccessToken("fake-token-from-another-instance", "Bearer", DateTimeOffset.UtcNow.AddYears(1), "DEFAULT authenticated " + Carrier));
        await using Setup s = await StartAsync(fleet);

        PeddlerAccessToken token = await s.Provider.GetCarrierTokenAsync(Carrier);

        Assert.Equal("fake-token-from-another-instance", token.AccessToken);
        Assert.Equal(0, s.Requests);
        PeddlerTokenCacheContext asked = Assert.Single(fleet.Asked);
        Assert.Equal("DEFAULT authenticated " + Carrier, asked.Scope);
        Assert.Same(token, Clients.WithoutWaiting(s.Provider.GetCarrierTokenAsync(Carrier)));
    }

    /// <summary>A fleet cache in which another instance always has the token already.</summary>
    private sealed class AnsweringFleet(PeddlerAccessToken token) : PeddlerSharedTokenCache
    {
        public System.Collections.Concurrent.ConcurrentQueue<PeddlerTokenCacheContext> Asked { get; } = new();

        public override Task<PeddlerAccessToken> GetOrRequestAsync(PeddlerTokenCacheContext context, Func<CancellationToken, Task<PeddlerAccessToken>> requestToken, CancellationToken cancellationToken)
        {
            Asked.Enqueue(context);
            return Task.FromResult(token);
        }

        public override Task InvalidateAsync(PeddlerTokenCacheContext context, PeddlerAccessToken token, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
