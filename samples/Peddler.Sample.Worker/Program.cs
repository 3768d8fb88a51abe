// A generic-host worker that calls a Peddler-protected API the way the README's "Hosting" section
// shows: AddPeddlerClient binds and validates the options, the background refresh keeps a token
// ready, and a typed HttpClient sends it through AddPeddlerAccessToken (which also recovers from a
// 401), and /healthz reports the client's health. With no PEDDLER_* variable set it runs against the local authorization server
// (Peddler.Testing) in this process, revokes the token once to show the recovery, and exits 0.
// With PEDDLER_CLIENT_ID, PEDDLER_CLIENT_SECRET, PEDDLER_CARRIER_ID and PEDDLER_API_URL set it
// calls that API through Peddler's Dev environment instead.
using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Peddler;
using Peddler.Testing;

namespace Peddler.Sample.Worker;

/// <summary>The token client: Dev environment, carrier id from configuration (<c>Peddler:CarrierId</c>).</summary>
[PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated {CarrierId}")]
internal sealed partial class CarrierTokens;

internal static class Program
{
    private const string LocalCarrierId = "900001";

    private static async Task<int> Main(string[] args)
    {
        string? clientId = Environment.GetEnvironmentVariable("PEDDLER_CLIENT_ID");
        string? clientSecret = Environment.GetEnvironmentVariable("PEDDLER_CLIENT_SECRET");
        bool local = string.IsNullOrEmpty(clientId) && string.IsNullOrEmpty(clientSecret);
        await using PeddlerAuthorizationServer? server = local ? new PeddlerAuthorizationServer() : null;

        var settings = new Dictionary<string, string?>
        {
            // Quieter console: the worker's own lines and Peddler's, not every HTTP request.
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
            ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
        };

        if (server is not null)
        {
            // A throwaway credential for this run only: nothing secret is stored anywhere.
            string localSecret = "local-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            server.AddClient("worker-client", localSecret, LocalCarrierId);
            await server.StartAsync();
            settings["Peddler:ClientId"] = "worker-client";
            settings["Peddler:ClientSecret"] = localSecret;
            settings["Peddler:CarrierId"] = LocalCarrierId;
            settings["Peddler:TokenEndpoint"] = server.TokenEndpoint.ToString();
            settings["CarrierApi:BaseAddress"] = server.BaseAddress.ToString();
            settings["CarrierApi:Path"] = PeddlerAuthorizationServer.ApiPath.TrimStart('/');
        }
        else
        {
            string? api = Environment.GetEnvironmentVariable("PEDDLER_API_URL");
            if (string.IsNullOrEmpty(api))
            {
                Console.Error.WriteLine("Peddler worker sample: set PEDDLER_API_URL to the endpoint to call, or unset PEDDLER_* to use the local server.");
                return 1;
            }

            settings["Peddler:ClientId"] = clientId;
            settings["Peddler:ClientSecret"] = clientSecret;
            settings["Peddler:CarrierId"] = Environment.GetEnvironmentVariable("PEDDLER_CARRIER_ID");
            settings["CarrierApi:BaseAddress"] = api;
            settings["CarrierApi:Path"] = "";
        }

        // A slim web host (NativeAOT-friendly) so that it can answer its own health probe on loopback.
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(args);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(settings);

        // README, "Hosting": the client, then the API client that sends its tokens.
        builder.Services.AddPeddlerClient<CarrierTokens>(builder.Configuration.GetSection("Peddler"));

        // README, "Health checks": Healthy with a token and good renewals, Degraded while renewals
        // fail or the fleet cache is down, Unhealthy without a usable token or while refused.
        builder.Services.AddHealthChecks().AddPeddlerClient<CarrierTokens>(tags: ["ready"]);
        builder.Services.AddHttpClient<CarrierApi>(http => http.BaseAddress = new Uri(builder.Configuration["CarrierApi:BaseAddress"]!))
            .AddPeddlerAccessToken<CarrierTokens>();

        builder.Services.AddSingleton(new WorkerPlan(
            Path: builder.Configuration["CarrierApi:Path"] ?? "",
            Calls: 3,
            RevokeTokens: server is null ? null : server.RevokeAllTokens));
        builder.Services.AddSingleton<TelemetrySummary>();
        builder.Services.AddHostedService<ApiWorker>();

        await using WebApplication host = builder.Build();
        host.MapHealthChecks("/healthz");
        var telemetry = host.Services.GetRequiredService<TelemetrySummary>();
        try
        {
            await host.RunAsync();
        }
        catch (OptionsValidationException ex)
        {
            Console.Error.WriteLine($"Peddler worker sample: invalid configuration: {ex.Message}");
            return 1;
        }

        telemetry.Print(Console.Out);
        if (server is not null)
        {
            Console.WriteLine($"Local authorization server: {server.TokenRequestCount} token request(s), {server.ApiRequestCount} API request(s).");
        }

        return Environment.ExitCode;
    }
}

/// <summary>What the worker does: how many calls, and (local server only) a token revocation to show the 401 recovery.</summary>
internal sealed record WorkerPlan(string Path, int Calls, Action? RevokeTokens);
