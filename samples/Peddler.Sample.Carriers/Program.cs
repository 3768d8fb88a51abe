// A generic-host worker for a platform that acts for many carriers, and whose client secret is
// rotated while it runs (README, "Many carriers" and "Secret rotation"). One [PeddlerClient] with
// {CarrierId} in its scopes serves every carrier; one typed HttpClient picks the carrier of each
// request (AddPeddlerAccessToken with a selector); the credentials come from a JSON file added with
// reloadOnChange, which the sample rewrites after the local authorization server (Peddler.Testing,
// in this process) rotated the secret. It prints what each call and each token request carried
// (secrets only by fingerprint), and exits 0 when every check passed, 1 otherwise.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Peddler;
using Peddler.Testing;

namespace Peddler.Sample.Carriers;

/// <summary>The token client: Dev environment, the carrier chosen at run time (<c>{CarrierId}</c>).</summary>
[PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated {CarrierId}")]
internal sealed partial class CarrierTokens;

internal static class Program
{
    private const string ClientId = "carriers-client";

    // Obviously fake credentials of the in-process local server, for this run only.
    private const string OldSecret = "fake-secret-carriers-old";
    private const string NewSecret = "fake-secret-carriers-new";

    private static readonly string[] Carriers = ["900001", "900002", "900003"];

    private static async Task<int> Main(string[] args)
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("PEDDLER_CLIENT_ID"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("PEDDLER_CLIENT_SECRET")))
        {
            Console.Error.WriteLine("Peddler carriers sample: it rotates the secret on its own local authorization server; unset PEDDLER_CLIENT_ID and PEDDLER_CLIENT_SECRET.");
            return 1;
        }

        // A platform client allowed to act for three carriers.
        await using var server = new PeddlerAuthorizationServer();
        server.AddClient(ClientId, OldSecret, Carriers[0]).AddCarriers(ClientId, Carriers[1..]);
        await server.StartAsync();

        DirectoryInfo directory = Directory.CreateTempSubdirectory("peddler-carriers-");
        try
        {
            var secrets = new SecretsFile(Path.Combine(directory.FullName, "peddler.secrets.json"));
            secrets.Write(ClientId, OldSecret);
            var scenario = new Scenario(server, secrets, ClientId, OldSecret, NewSecret, Carriers);
            return await RunAsync(args, scenario);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<int> RunAsync(string[] args, Scenario scenario)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Quieter console: the sample's own lines and Peddler's, not every HTTP request.
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
            ["Peddler:TokenEndpoint"] = scenario.Server.TokenEndpoint.ToString(),
            ["Peddler:Timeout"] = "00:00:10",
            ["CarrierApi:BaseAddress"] = scenario.Server.BaseAddress.ToString(),
        });

        // The credentials: a file that is rewritten while the sample runs (a rotated secret).
        builder.Configuration.AddJsonFile(scenario.Secrets.Path, optional: false, reloadOnChange: true);

        // To wait for "the new options are in use" (event 31) without sleeping.
        var events = new PeddlerEvents();
        builder.Logging.AddProvider(events);

        // README, "Many carriers": no CarrierId in the options; each request names its carrier.
        builder.Services.AddPeddlerClient<CarrierTokens>(builder.Configuration.GetSection("Peddler"));
        builder.Services.AddHttpClient<CarrierApi>(http =>
            {
                http.BaseAddress = new Uri(builder.Configuration["CarrierApi:BaseAddress"]!);
                http.Timeout = TimeSpan.FromSeconds(10);
            })
            .AddPeddlerAccessToken<CarrierTokens>(request =>
                request.Headers.TryGetValues(CarrierApi.CarrierHeader, out IEnumerable<string>? ids) ? ids.FirstOrDefault() : null);

        builder.Services.AddSingleton(events);
        builder.Services.AddSingleton(scenario);
        builder.Services.AddHostedService<CarriersWorker>();

        using IHost host = builder.Build();
        try
        {
            await host.RunAsync();
        }
        catch (OptionsValidationException ex)
        {
            Console.Error.WriteLine($"Peddler carriers sample: invalid configuration: {ex.Message}");
            return 1;
        }

        PrintSummary(scenario);
        return scenario.Completed && scenario.Failures.Count == 0 ? 0 : 1;
    }

    private static void PrintSummary(Scenario scenario)
    {
        PeddlerAuthorizationServer server = scenario.Server;
        Console.WriteLine($"Token requests the local server received (secret by fingerprint: old {scenario.OldFingerprint}, new {scenario.NewFingerprint}):");
        int number = 0;
        foreach (PeddlerTokenRequestRecord record in server.TokenRequests)
        {
            number++;
            Console.WriteLine(
                $"  {number,2}. client {record.ClientId}, scope '{record.GetField("scope")}', secret {scenario.Which(record.SecretFingerprint)} " +
                $"({record.SecretFingerprint}) -> {record.StatusCode}{(record.Error is null ? "" : " " + record.Error)}");
        }

        Console.WriteLine($"Local authorization server: {server.TokenRequestCount} token request(s), {server.ApiRequestCount} API request(s).");
        if (scenario.Completed && scenario.Failures.Count == 0)
        {
            Console.WriteLine("OK: each call carried its carrier's token; after the rotation the client sent the new secret without a restart.");
            return;
        }

        foreach (string failure in scenario.Failures)
        {
            Console.Error.WriteLine($"FAILED: {failure}");
        }

        if (!scenario.Completed && scenario.Failures.Count == 0)
        {
            Console.Error.WriteLine("FAILED: the worker did not finish.");
        }
    }
}
