using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Peddler.Caching;
using Peddler.Testing;
using Xunit;

namespace Peddler.Extensions.Tests;

/// <summary>
/// <c>AddHealthChecks().AddPeddlerClient&lt;TClient&gt;()</c> on a fake clock shared by a real local
/// server and the host: each state driven by what the client really met.
/// </summary>
public class HealthCheckTests
{
    private sealed class Fixture : IAsyncDisposable
    {
        public required FakeTimeProvider Time { get; init; }

        public required PeddlerAuthorizationServer Server { get; init; }

        public required LogCapture Logs { get; init; }

        public required RunningHost Host { get; init; }

        public static async Task<Fixture> StartAsync(
            string secret = Fake.Secret,
            Action<IHealthChecksBuilder>? checks = null,
            Action<IServiceCollection>? services = null,
            bool carriers = false)
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));
            PeddlerAuthorizationServer server = await TestHost.StartServerAsync(time);
            var logs = new LogCapture();
            Dictionary<string, string?> settings = TestHost.Settings(server, secret: secret);
            settings["Peddler:MaxRetries"] = "0";
            settings["Peddler:RefreshMargin"] = "00:01:00";
            HostApplicationBuilder builder = TestHost.CreateBuilder(settings, logs, time);
            IHealthChecksBuilder health = builder.Services.AddHealthChecks();
            if (carriers)
            {
                builder.Services.AddPeddlerClient<ConfiguredCarrierTokens>(builder.Configuration.GetSection("Peddler"));
                (checks ?? (h => h.AddPeddlerClient<ConfiguredCarrierTokens>()))(health);
            }
            else
            {
                builder.Services.AddPeddlerClient<CarrierTokens>(builder.Configuration.GetSection("Peddler"));
                (checks ?? (h => h.AddPeddlerClient<CarrierTokens>()))(health);
            }

            services?.Invoke(builder.Services);
            RunningHost host = await RunningHost.StartAsync(builder);
            return new Fixture { Time = time, Server = server, Logs = logs, Host = host };
        }

        public CarrierTokens Tokens => Host.Services.GetRequiredService<CarrierTokens>();

        public ConfiguredCarrierTokens CarrierClient => Host.Services.GetRequiredService<ConfiguredCarrierTokens>();

        /// <summary>Runs the registered checks and returns the one entry, after checking it shows no token and no secret.</summary>
        public async Task<HealthReportEntry> CheckAsync()
        {
            HealthReport report = await Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync().WaitAsync(TestHost.Patience);
            HealthReportEntry entry = Assert.Single(report.Entries).Value;
            string shown = entry.Description + " " + string.Join(" ", entry.Data.Select(d => d.Key + "=" + d.Value));
            Assert.DoesNotContain(Fake.Secret, shown, StringComparison.Ordinal);
            foreach (PeddlerTokenRequestRecord request in Server.TokenRequests)
            {
                Assert.DoesNotContain(request.GetField("client_secret") ?? "(none)", shown, StringComparison.Ordinal);
            }

            return entry;
        }

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await Server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_cached_token_is_Healthy_with_the_time_it_is_still_served_and_the_probe_sends_no_request()
    {
        await using Fixture f = await Fixture.StartAsync();
        PeddlerAccessToken token = await f.Tokens.GetTokenAsync();
        f.Time.Advance(TimeSpan.FromMinutes(10));

        HealthReportEntry entry = await f.CheckAsync();

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(7200L - 5 - 600, entry.Data["expires_in_seconds"]);
        Assert.Equal(nameof(CarrierTokens), entry.Data["client"]);
        Assert.Equal(1, f.Server.TokenRequestCount);
        Assert.DoesNotContain(token.AccessToken, entry.Description + string.Join(",", entry.Data.Values), StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_nothing_to_report_yet_a_probe_asks_for_one_token_and_the_next_probe_only_reads()
    {
        await using Fixture f = await Fixture.StartAsync();

        Assert.Equal(HealthStatus.Healthy, (await f.CheckAsync()).Status);
        Assert.Equal(1, f.Server.TokenRequestCount);
        Assert.Equal(HealthStatus.Healthy, (await f.CheckAsync()).Status);
        Assert.Equal(1, f.Server.TokenRequestCount);
    }

    [Fact]
    public async Task Failed_renewals_of_a_served_token_are_Degraded_with_the_time_left_the_error_code_and_the_count()
    {
        await using Fixture f = await Fixture.StartAsync();
        await f.Tokens.GetTokenAsync();

        // Into the refresh window (7,140 s): a caller is served and starts a renewal, which fails.
        f.Time.Advance(TimeSpan.FromSeconds(7150));
        f.Server.Faults.Enqueue(PeddlerFault.Status(503));
        int seen = f.Logs.Count;
        await f.Tokens.GetTokenAsync();
        await f.Logs.WaitForEventAsync(9, seen); // RefreshWindowRenewalFailed: recorded by the client

        HealthReportEntry entry = await f.CheckAsync();

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal(45L, entry.Data["expires_in_seconds"]);
        Assert.Equal(1, entry.Data["renewal_failures"]);
        Assert.Equal("temporarily_unavailable", entry.Data["last_error"]);
        Assert.Contains("1 renewal(s) in a row failed", entry.Description, StringComparison.Ordinal);
        Assert.Equal(2, f.Server.TokenRequestCount);
    }

    [Fact]
    public async Task No_usable_token_after_a_failed_request_is_Unhealthy_with_the_error_code_and_the_probe_sends_nothing()
    {
        await using Fixture f = await Fixture.StartAsync();
        f.Server.Faults.Enqueue(PeddlerFault.Status(503));
        await Assert.ThrowsAsync<PeddlerException>(async () => await f.Tokens.GetTokenAsync());

        HealthReportEntry entry = await f.CheckAsync();

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("temporarily_unavailable", entry.Data["last_error"]);
        Assert.Equal(1, f.Server.TokenRequestCount);
    }

    [Fact]
    public async Task A_remembered_refusal_reports_the_failure_status_with_the_endpoint_error_and_description()
    {
        await using Fixture f = await Fixture.StartAsync(
            secret: "fake-wrong-secret",
            checks: h => h.AddPeddlerClient<CarrierTokens>(name: "peddler", failureStatus: HealthStatus.Degraded, tags: ["ready"]));
        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await f.Tokens.GetTokenAsync());

        HealthReport report = await f.Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("ready"));
        HealthReportEntry entry = report.Entries["peddler"];

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("access_denied", entry.Data["error"]);
        Assert.Equal(403, entry.Data["status_code"]);
        Assert.False(string.IsNullOrEmpty((string)entry.Data["error_description"]));
        Assert.Equal(5L, entry.Data["refused_for_seconds"]);
        Assert.Contains("refused the client (403 access_denied", entry.Description, StringComparison.Ordinal);
        Assert.Equal(1, f.Server.TokenRequestCount);
        Assert.DoesNotContain("fake-wrong-secret", entry.Description + string.Join(",", entry.Data.Values), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unavailable_fleet_cache_is_Degraded_while_the_instance_works_alone()
    {
        var fleet = new AloneCache();
        await using Fixture f = await Fixture.StartAsync(services: s => s.AddKeyedSingleton<PeddlerSharedTokenCache>(nameof(CarrierTokens), fleet));
        await f.Tokens.GetTokenAsync();
        Assert.Equal(1, fleet.Calls);

        HealthReportEntry entry = await f.CheckAsync();

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("unavailable", entry.Data["fleet_cache"]);
        Assert.Contains("fleet cache is unavailable", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Carriers_are_counted_and_a_refusal_of_the_client_is_Unhealthy()
    {
        await using Fixture f = await Fixture.StartAsync(carriers: true);
        f.Server.AddCarriers(Fake.ClientId, ["900003"]);
        Assert.Equal(HealthStatus.Healthy, (await f.CheckAsync()).Status);
        Assert.Equal(0, f.Server.TokenRequestCount); // nothing of its own to ask for

        await f.CarrierClient.GetCarrierTokenAsync("900001");
        await f.CarrierClient.GetCarrierTokenAsync("900003");
        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await f.CarrierClient.GetCarrierTokenAsync("999999"));
        HealthReportEntry some = await f.CheckAsync();
        Assert.Equal(HealthStatus.Degraded, some.Status);
        Assert.Equal(3, some.Data["carriers"]);
        Assert.Equal(2, some.Data["carriers_with_token"]);
        Assert.Equal(1, some.Data["carriers_refused"]);
        Assert.Equal(0, some.Data["carriers_failing"]);

        // The secret is revoked on the server: the next carrier's request is refused for the whole client.
        f.Server.RotateSecret(Fake.ClientId, "fake-new-secret-on-the-server");
        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await f.CarrierClient.GetCarrierTokenAsync("900004"));
        HealthReportEntry refused = await f.CheckAsync();
        Assert.Equal(HealthStatus.Unhealthy, refused.Status);
        Assert.Equal("access_denied", refused.Data["error"]);
        Assert.Equal(4, refused.Data["carriers"]);
        Assert.Equal(4, refused.Data["carriers_refused"]);
        Assert.Equal(2, refused.Data["carriers_with_token"]);
        Assert.Equal(4, f.Server.TokenRequestCount);
    }

    /// <summary>A fleet cache whose store is down: it requests every token itself, as the contract says.</summary>
    private sealed class AloneCache : PeddlerSharedTokenCache
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public override bool IsAvailable => false;

        public override Task<PeddlerAccessToken> GetOrRequestAsync(PeddlerTokenCacheContext context, Func<CancellationToken, Task<PeddlerAccessToken>> requestToken, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return requestToken(cancellationToken);
        }

        public override Task InvalidateAsync(PeddlerTokenCacheContext context, PeddlerAccessToken token, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>The health endpoint a web host maps, over HTTP on loopback, as a probe sees it.</summary>
public class HealthEndpointTests
{
    [Fact]
    public async Task A_mapped_healthz_answers_200_Healthy_with_a_token_then_503_Unhealthy_once_the_secret_is_refused()
    {
        await using PeddlerAuthorizationServer server = await TestHost.StartServerAsync();
        Microsoft.AspNetCore.Builder.WebApplicationBuilder builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        Microsoft.AspNetCore.Hosting.HostingAbstractionsWebHostBuilderExtensions.UseUrls(builder.WebHost, "http://127.0.0.1:0");
        var settings = TestHost.Settings(server);
        settings["Peddler:MaxRetries"] = "0";
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddPeddlerClient<CarrierTokens>(builder.Configuration.GetSection("Peddler"));
        builder.Services.AddHealthChecks().AddPeddlerClient<CarrierTokens>();
        await using Microsoft.AspNetCore.Builder.WebApplication app = builder.Build();
        Microsoft.AspNetCore.Builder.HealthCheckEndpointRouteBuilderExtensions.MapHealthChecks(app, "/healthz");
        await app.StartAsync().WaitAsync(TestHost.Patience);
        using var probe = new System.Net.Http.HttpClient { BaseAddress = new Uri(app.Urls.First()) };

        // No state yet: the probe asks for the first token itself.
        using (System.Net.Http.HttpResponseMessage healthy = await probe.GetAsync("/healthz"))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, healthy.StatusCode);
            Assert.Equal("Healthy", await healthy.Content.ReadAsStringAsync());
        }

        Assert.Equal(1, server.TokenRequestCount);

        // The secret is revoked and the token dropped (as after a 401): the next request is refused.
        server.RotateSecret(Fake.ClientId, "fake-secret-only-the-server-knows");
        var tokens = app.Services.GetRequiredService<CarrierTokens>();
        tokens.InvalidateToken();
        await Assert.ThrowsAsync<PeddlerAuthenticationException>(async () => await tokens.GetTokenAsync());
        using (System.Net.Http.HttpResponseMessage refused = await probe.GetAsync("/healthz"))
        {
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("Unhealthy", await refused.Content.ReadAsStringAsync());
        }

        Assert.Equal(2, server.TokenRequestCount);
        await app.StopAsync();
    }
}
