using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>Carriers chosen at run time (ForCarrier) over real HTTP.</summary>
public class CarrierTests
{
    private const string RotatedSecret = "fake-rotated-secret-for-tests";

    private static PeddlerTokenProvider CreateProvider(TestEnvironment env, Action<PeddlerClientOptions>? configure = null)
    {
        PeddlerClientOptions options = env.Options();
        configure?.Invoke(options);
        return new PeddlerTokenProvider(env.Http, options, ConfiguredCarrierTokens.Descriptor);
    }

    /// <summary>A provider on a fake clock whose carriers are idle after a minute unused.</summary>
    private static (PeddlerTokenProvider Provider, Microsoft.Extensions.Time.Testing.FakeTimeProvider Time) CreateProviderIdleAfterAMinute(TestEnvironment env)
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        PeddlerClientOptions options = env.Options();
        options.CarrierIdleTimeout = TimeSpan.FromMinutes(1);
        return (new PeddlerTokenProvider(env.Http, options, ConfiguredCarrierTokens.Descriptor, time), time);
    }

    [Fact]
    public async Task Two_carriers_get_two_tokens_with_their_scopes_each_cached_on_its_own()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.AddCarriers(Fake.ClientId, ["900002", "900003"]);
        PeddlerTokenProvider provider = CreateProvider(env);

        IPeddlerTokenClient second = provider.ForCarrier("900002");
        IPeddlerTokenClient third = provider.ForCarrier("900003");
        PeddlerAccessToken a = await second.GetTokenAsync();
        PeddlerAccessToken b = await third.GetTokenAsync();

        Assert.Equal("DEFAULT authenticated 900002", a.Scope);
        Assert.Equal("DEFAULT authenticated 900003", b.Scope);
        Assert.NotEqual(a.AccessToken, b.AccessToken);
        Assert.Same(second, provider.ForCarrier("900002"));
        Assert.Same(a, Clients.WithoutWaiting(provider.ForCarrier("900002").GetTokenAsync()));
        Assert.Same(b, Clients.WithoutWaiting(third.GetTokenAsync()));
        Assert.Equal(2, env.Server.TokenRequestCount);
        Assert.Equal(["DEFAULT authenticated 900002", "DEFAULT authenticated 900003"], env.Server.TokenRequests.Select(r => r.GetField("scope")));
    }

    [Fact]
    public async Task A_client_with_a_carrier_in_its_options_still_serves_other_carriers()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.AddCarriers(Fake.ClientId, ["900002"]);
        PeddlerTokenProvider provider = CreateProvider(env, o => o.CarrierId = Fake.Carrier);

        Assert.Equal("DEFAULT authenticated 900001", (await provider.GetTokenAsync()).Scope);
        Assert.Equal("DEFAULT authenticated 900002", (await provider.ForCarrier("900002").GetTokenAsync()).Scope);
        Assert.Equal(2, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task Without_a_carrier_from_anywhere_the_call_fails_clearly_and_a_fixed_carrier_refuses_ForCarrier()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        PeddlerTokenProvider provider = CreateProvider(env);

        InvalidOperationException none = await Assert.ThrowsAsync<InvalidOperationException>(async () => await provider.GetTokenAsync());
        Assert.Contains("no carrier: set CarrierId", none.Message, StringComparison.Ordinal);
        Assert.Contains("ForCarrier", none.Message, StringComparison.Ordinal);
        Assert.Equal(0, env.Server.TokenRequestCount);

        Assert.Throws<ArgumentException>(() => provider.ForCarrier("9000 02"));

        var fixedCarrier = new PeddlerTokenProvider(env.Http, env.Options(), CarrierTokens.Descriptor);
        InvalidOperationException refused = Assert.Throws<InvalidOperationException>(() => fixedCarrier.ForCarrier("900002"));
        Assert.Contains("fix the carrier", refused.Message, StringComparison.Ordinal);

        // A carrier's client is a token client only: it follows the client's options and cannot make carriers of its own.
        IPeddlerTokenClient carrier = provider.ForCarrier("900001");
        Assert.IsNotType<PeddlerTokenProvider>(carrier);
        Assert.Same(carrier, provider.ForCarrier("900001"));
    }

    [Fact]
    public async Task A_thousand_carriers_with_ten_concurrent_cold_callers_each_cost_exactly_a_thousand_token_requests()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        string[] carriers = Enumerable.Range(910_000, 1000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        env.Server.AddCarriers(Fake.ClientId, carriers);
        PeddlerTokenProvider provider = CreateProvider(env);

        var callers = new List<Task<(string Carrier, PeddlerAccessToken Token)>>();
        foreach (string carrier in carriers)
        {
            for (int caller = 0; caller < 10; caller++)
            {
                callers.Add(Task.Run(async () => (carrier, await provider.ForCarrier(carrier).GetTokenAsync())));
            }
        }

        (string Carrier, PeddlerAccessToken Token)[] results = await Task.WhenAll(callers).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(1000, env.Server.TokenRequestCount);
        Assert.All(results, r => Assert.Equal("DEFAULT authenticated " + r.Carrier, r.Token.Scope));
        Assert.Equal(1000, results.Select(r => r.Token.AccessToken).Distinct().Count());
        Assert.Equal(1000, provider.Carriers!.All().Count);
    }

    [Fact]
    public async Task An_evicted_carrier_keeps_working_for_whoever_holds_it()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.AddCarriers(Fake.ClientId, ["900002"]);
        PeddlerTokenProvider provider = CreateProvider(env, o => o.MaxCarriers = 1);
        IPeddlerTokenClient held = provider.ForCarrier("900001");
        PeddlerAccessToken first = await held.GetTokenAsync();

        // Capacity 1: a second carrier evicts the first.
        await provider.ForCarrier("900002").GetTokenAsync();
        Assert.Single(provider.Carriers!.All());
        Assert.NotSame(held, provider.ForCarrier("900001"));

        // The holder still has its token, and can still get new ones.
        Assert.Same(first, Clients.WithoutWaiting(held.GetTokenAsync()));
        held.InvalidateToken(first);
        PeddlerAccessToken second = await held.GetTokenAsync();
        Assert.Equal("DEFAULT authenticated 900001", second.Scope);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(3, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task A_carrier_idle_longer_than_CarrierIdleTimeout_is_evicted_on_a_later_lookup_and_its_holder_keeps_working()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.AddCarriers(Fake.ClientId, ["900002"]);
        (PeddlerTokenProvider provider, Microsoft.Extensions.Time.Testing.FakeTimeProvider time) = CreateProviderIdleAfterAMinute(env);
        IPeddlerTokenClient held = provider.ForCarrier("900001");
        PeddlerAccessToken first = await held.GetTokenAsync();

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Same(held, provider.ForCarrier("900001"));

        time.Advance(TimeSpan.FromMinutes(2));
        provider.ForCarrier("900002");

        Assert.Single(provider.Carriers!.All());
        Assert.Same(first, Clients.WithoutWaiting(held.GetTokenAsync()));
        Assert.NotSame(held, provider.ForCarrier("900001"));
        Assert.Equal(1, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task GetCarrierTokenAsync_serves_that_carriers_cached_token_and_never_an_invalidated_one()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.AddCarriers(Fake.ClientId, ["900002", "900003"]);
        PeddlerTokenProvider provider = CreateProvider(env);

        PeddlerAccessToken second = await provider.GetCarrierTokenAsync("900002");
        PeddlerAccessToken third = await provider.GetCarrierTokenAsync("900003");
        Assert.Equal("DEFAULT authenticated 900002", second.Scope);
        Assert.Equal("DEFAULT authenticated 900003", third.Scope);

        // Hits, from the table or from the carrier's client, with an id of another string instance.
        Assert.Same(second, Clients.WithoutWaiting(provider.GetCarrierTokenAsync(new string("900002".AsSpan()))));
        Assert.Same(second, Clients.WithoutWaiting(provider.ForCarrier("900002").GetTokenAsync()));
        Assert.Same(third, Clients.WithoutWaiting(provider.GetCarrierTokenAsync("900003")));
        Assert.Equal(2, env.Server.TokenRequestCount);

        // Invalidated through the carrier's client: the table never hands the old token out again.
        provider.ForCarrier("900002").InvalidateToken(second);
        PeddlerAccessToken renewed = await provider.GetCarrierTokenAsync("900002");
        Assert.NotEqual(second.AccessToken, renewed.AccessToken);
        Assert.Same(renewed, Clients.WithoutWaiting(provider.GetCarrierTokenAsync("900002")));
        Assert.Same(third, Clients.WithoutWaiting(provider.GetCarrierTokenAsync("900003")));
        Assert.Equal(3, env.Server.TokenRequestCount);

        await Assert.ThrowsAsync<ArgumentException>(async () => await provider.GetCarrierTokenAsync("9000 02"));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await provider.GetCarrierTokenAsync(carrierId: null!));
        var fixedCarrier = new PeddlerTokenProvider(env.Http, env.Options(), CarrierTokens.Descriptor);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await fixedCarrier.GetCarrierTokenAsync("900002"));
        Assert.Equal(3, env.Server.TokenRequestCount);
    }

    [Theory]
    [InlineData("1", "2")]
    [InlineData("12345678", "12345679")]
    [InlineData("9000020000000001", "9000020000000002")]
    [InlineData("carrier-with-a-long-id-0001", "carrier-with-a-long-id-0002")]
    [InlineData("a", "a-longer-id-than-sixteen-characters")]
    public async Task Carrier_ids_that_differ_anywhere_get_their_own_tokens(string one, string other)
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.AddCarriers(Fake.ClientId, [one, other]);
        PeddlerTokenProvider provider = CreateProvider(env);

        PeddlerAccessToken first = await provider.GetCarrierTokenAsync(one);
        PeddlerAccessToken second = await provider.GetCarrierTokenAsync(other);

        Assert.Equal("DEFAULT authenticated " + one, Clients.WithoutWaiting(provider.GetCarrierTokenAsync(new string(one.AsSpan()))).Scope);
        Assert.Equal("DEFAULT authenticated " + other, Clients.WithoutWaiting(provider.GetCarrierTokenAsync(new string(other.AsSpan()))).Scope);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(2, env.Server.TokenRequestCount);
    }

    [Fact]
    public async Task While_carriers_are_added_and_evicted_concurrent_readers_only_ever_get_their_own_carriers_token()
    {
        // The table grows (16 -> 4,096 slots) and evicts (capacity 1,500) while readers hit it: a
        // torn read would hand a reader another carrier's token, which the scope would show.
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        string[] carriers = Enumerable.Range(920_000, 2000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        env.Server.AddCarriers(Fake.ClientId, carriers);
        PeddlerTokenProvider provider = CreateProvider(env, o => o.MaxCarriers = 1500);
        string[] hot = carriers[..8];
        foreach (string carrier in hot)
        {
            await provider.GetCarrierTokenAsync(carrier);
        }

        using var done = new System.Threading.CancellationTokenSource();
        int reads = 0;
        Task[] readers = Enumerable.Range(0, 2).Select(r => Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                string carrier = hot[reads++ & 7];
                PeddlerAccessToken token = await provider.GetCarrierTokenAsync(carrier);
                Assert.Equal("DEFAULT authenticated " + carrier, token.Scope);
            }
        })).ToArray();

        foreach (string[] batch in carriers[8..].Chunk(100))
        {
            await Task.WhenAll(batch.Select(c => provider.GetCarrierTokenAsync(c).AsTask()));
        }

        done.Cancel();
        await Task.WhenAll(readers);
        Assert.True(provider.Carriers!.All().Count <= 1500, $"{provider.Carriers!.All().Count} carriers kept");
        Assert.True(reads > 0);
    }

    [Fact]
    public async Task A_held_carrier_in_use_is_not_idle_though_it_is_never_looked_up_again()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.AddCarriers(Fake.ClientId, ["900002"]);
        (PeddlerTokenProvider provider, Microsoft.Extensions.Time.Testing.FakeTimeProvider time) = CreateProviderIdleAfterAMinute(env);
        IPeddlerTokenClient held = provider.ForCarrier("900001");
        PeddlerAccessToken first = await held.GetTokenAsync();

        // Used every 50 s through the held client, never looked up: 150 s later it is still kept.
        for (int i = 0; i < 3; i++)
        {
            time.Advance(TimeSpan.FromSeconds(50));
            Assert.Same(first, Clients.WithoutWaiting(held.GetTokenAsync()));
        }

        provider.ForCarrier("900002");
        Assert.Same(held, provider.ForCarrier("900001"));
        Assert.Equal(2, provider.Carriers!.All().Count);

        // Unused for over a minute: evicted on the next lookup.
        time.Advance(TimeSpan.FromSeconds(61));
        provider.ForCarrier("900002");
        Assert.NotSame(held, provider.ForCarrier("900001"));
    }

    [Fact]
    public async Task Carriers_follow_the_rotation_of_their_clients_options()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        PeddlerTokenProvider provider = CreateProvider(env);
        IPeddlerTokenClient carrier = provider.ForCarrier(Fake.Carrier);
        PeddlerAccessToken first = await carrier.GetTokenAsync();

        env.Server.AddClient(Fake.ClientId, RotatedSecret, Fake.Carrier);
        provider.UpdateOptions(env.Options(secret: RotatedSecret));
        Assert.Same(first, Clients.WithoutWaiting(carrier.GetTokenAsync()));

        carrier.InvalidateToken(first);
        await carrier.GetTokenAsync();

        Assert.Equal([200, 200], env.Server.TokenRequests.Select(r => r.StatusCode ?? 0));
        string lastBody = Encoding.ASCII.GetString(env.Recorder.Requests[^1].Body);
        Assert.Contains("client_secret=" + RotatedSecret, lastBody, StringComparison.Ordinal);
    }
}
