using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Peddler.Caching;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>The provider's subscription to the fleet cache's invalidations, with a cache that only records subscriptions.</summary>
public sealed class FleetInvalidationTests
{
    [Fact]
    public async Task An_invalidation_from_another_instance_drops_the_matching_token_of_the_client_and_of_its_carriers()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        env.Server.AddCarriers(Fake.ClientId, ["900002"]);
        var fleet = new RecordingCache();
        PeddlerTokenProvider provider = Create(env, fleet, ConfiguredCarrierTokens.Descriptor);
        IPeddlerTokenClient carrier = provider.ForCarrier("900002");
        PeddlerAccessToken token = await carrier.GetTokenAsync();

        fleet.Publish("00000000");
        Assert.Same(token, await carrier.GetTokenAsync());

        fleet.Publish(token.Fingerprint);
        Assert.NotSame(token, await carrier.GetTokenAsync());
        Assert.Equal(2, env.Server.TokenRequestCount);
        GC.KeepAlive(provider);
    }

    [Fact]
    public async Task A_provider_nobody_holds_is_collected_and_its_subscription_is_disposed_at_the_next_invalidation()
    {
        await using TestEnvironment env = await TestEnvironment.StartAsync();
        var fleet = new RecordingCache();
        WeakReference collected = CreateAndDrop(env, fleet);
        for (int i = 0; i < 10 && collected.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(collected.IsAlive, "the fleet cache's subscription kept the provider alive");
        Assert.Equal(1, fleet.Live);

        fleet.Publish("0badf00d");
        Assert.Equal(0, fleet.Live);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference CreateAndDrop(TestEnvironment env, RecordingCache fleet) =>
        new(Create(env, fleet, CarrierTokens.Descriptor));

    private static PeddlerTokenProvider Create(TestEnvironment env, PeddlerSharedTokenCache fleet, PeddlerClientDescriptor descriptor) =>
        Clients.Provider(env.Http, env.Options(), descriptor, fleet: fleet);

    /// <summary>A fleet cache that asks the endpoint every time and records its subscribers.</summary>
    private sealed class RecordingCache : PassThroughFleet
    {
        private readonly List<Subscription> _subscriptions = [];

        public int Live
        {
            get
            {
                lock (_subscriptions)
                {
                    return _subscriptions.FindAll(s => !s.Disposed).Count;
                }
            }
        }

        public override IDisposable? Subscribe(string clientName, Action<string> tokenInvalidated)
        {
            var subscription = new Subscription(tokenInvalidated);
            lock (_subscriptions)
            {
                _subscriptions.Add(subscription);
            }

            return subscription;
        }

        public void Publish(string fingerprint)
        {
            Subscription[] live;
            lock (_subscriptions)
            {
                live = _subscriptions.FindAll(s => !s.Disposed).ToArray();
            }

            foreach (Subscription subscription in live)
            {
                subscription.Received(fingerprint);
            }
        }

        private sealed class Subscription(Action<string> received) : IDisposable
        {
            public bool Disposed { get; private set; }

            public void Received(string fingerprint) => received(fingerprint);

            public void Dispose() => Disposed = true;
        }
    }
}
