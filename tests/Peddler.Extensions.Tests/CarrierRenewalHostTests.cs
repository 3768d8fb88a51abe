using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Peddler.Testing;
using Xunit;

namespace Peddler.Extensions.Tests;

/// <summary>In a host, a <c>{CarrierId}</c> client without a fixed carrier renews the carriers in use in the background.</summary>
public class CarrierRenewalHostTests
{
    [Fact]
    public async Task A_carrier_client_says_at_start_that_background_refresh_covers_its_carriers_and_renews_the_ones_in_use()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync(time);
        server.AddCarriers(Fake.ClientId, ["900003", "900004"]);
        var logs = new LogCapture();
        Dictionary<string, string?> settings = TestHost.Settings(server, backgroundRefresh: true);
        settings["Peddler:MaxRetries"] = "0";
        settings["Peddler:RefreshMargin"] = "00:01:00";
        settings["Peddler:CarrierIdleTimeout"] = "01:30:00";
        HostApplicationBuilder builder = TestHost.CreateBuilder(settings, logs, time);
        builder.Services.AddPeddlerClient<ConfiguredCarrierTokens>(builder.Configuration.GetSection("Peddler"));
        await using RunningHost host = await RunningHost.StartAsync(builder);

        LogRecord started = await logs.WaitForEventAsync(10);
        Assert.Contains("run-time carriers used within 01:30:00", started.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("the client's token", started.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Records, r => r.Is(15));

        var tokens = host.Services.GetRequiredService<ConfiguredCarrierTokens>();
        PeddlerAccessToken first = await tokens.GetCarrierTokenAsync("900003");
        await tokens.GetCarrierTokenAsync("900004");
        Assert.Equal(2, server.TokenRequestCount);

        // 110 minutes in (past 0.9 of the 7,140 s to the refresh point, before that point; 900004
        // unused for longer than the idle timeout), 900003, used an hour ago, has been renewed
        // without a caller, and 900004 has not.
        time.Advance(TimeSpan.FromMinutes(50));
        Assert.Same(first, await tokens.GetCarrierTokenAsync("900003"));
        int seen = logs.Count;
        time.Advance(TimeSpan.FromMinutes(60));
        LogRecord renewed = await logs.WaitForEventAsync(12, seen);
        Assert.Equal(first.Fingerprint, renewed.Value<string>("PreviousTokenFingerprint"));
        Assert.Equal(3, server.TokenRequestCount);
        Assert.Contains("900003", server.TokenRequests[^1].GetField("scope"), StringComparison.Ordinal);

        ValueTask<PeddlerAccessToken> call = tokens.GetCarrierTokenAsync("900003");
        Assert.True(call.IsCompletedSuccessfully, "the caller had to wait");
        Assert.Equal(renewed.Value<string>("TokenFingerprint"), (await call).Fingerprint);
    }
}
