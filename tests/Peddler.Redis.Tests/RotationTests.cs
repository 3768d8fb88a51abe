using System;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Peddler.Redis.Tests;

/// <summary>A secret rotated while a fleet serves many carriers: keys and seals always come from one settings generation.</summary>
public sealed class RotationTests
{
    private const string Rotated = "fake-secret-for-tests-rotated-9c1e";

    private static string[] Carriers(int first, int count) =>
        Enumerable.Range(first, count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    public async Task A_secret_rotated_during_a_fleet_run_seals_each_entry_with_the_generation_it_is_stored_under()
    {
        await using CacheServer cache = await CacheServer.StartSharedAsync();
        await using Fleet fleet = await Fleet.StartAsync(cache);
        string[] during = Carriers(900_001, 40);
        string[] after = Carriers(900_101, 20);
        fleet.Server.AddCarriers(Fleet.ClientId, during.Concat(after));
        FleetTokens rotating = fleet.AddInstance(client: o => o.CarrierId = null);
        PeddlerTokenProvider provider = fleet.TokenProvider(0);

        // Carriers asked for while the secret is rotated on both sides: every call gets a token.
        Task run = Parallel.ForEachAsync(during, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (carrier, ct) =>
            await rotating.GetCarrierTokenAsync(carrier, ct));
        fleet.Server.RotateSecret(Fleet.ClientId, Rotated);
        provider.UpdateOptions(new PeddlerClientOptions
        {
            ClientId = Fleet.ClientId,
            ClientSecret = Rotated,
            TokenEndpoint = fleet.Server.TokenEndpoint,
            BackgroundRefresh = false,
        });
        await run;

        // After the rotation the rotated instance shares tokens that an instance started with the
        // new secret opens: stored under the new generation's key, sealed with the new generation's key.
        string[] shared = await Task.WhenAll(after.Select(async c => (await rotating.GetCarrierTokenAsync(c)).Fingerprint));
        int requests = fleet.Server.TokenRequestCount;
        FleetTokens fresh = fleet.AddInstance(client: o => { o.CarrierId = null; o.ClientSecret = Rotated; });
        string[] seen = await Task.WhenAll(after.Select(async c => (await fresh.GetCarrierTokenAsync(c)).Fingerprint));

        Assert.Equal(shared, seen);
        Assert.Equal(requests, fleet.Server.TokenRequestCount);
        Assert.Equal(0, fleet.Logs.Count("SharedTokenUnreadable"));
    }
}
