using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Peddler.Testing;

namespace Peddler.Sample.Carriers;

/// <summary>
/// Calls the API for three carriers through one handler, has the secret rotated while it runs,
/// and shows the next token requests carry the new secret; then stops the host. Every check that
/// fails is recorded in <see cref="Scenario.Failures"/>, which decides the exit code.
/// </summary>
internal sealed partial class CarriersWorker(
    CarrierApi api,
    CarrierTokens tokens,
    Scenario scenario,
    PeddlerEvents events,
    IHostApplicationLifetime lifetime,
    ILogger<CarriersWorker> logger) : BackgroundService
{
    // How long a configuration reload may take to reach the client (it takes ~0.25 s: the JSON
    // provider's reload delay). Only a bound for a failure: the wait ends on the event itself.
    private static readonly TimeSpan ReloadTimeout = TimeSpan.FromSeconds(10);

    private static readonly string ApiPath = PeddlerAuthorizationServer.ApiPath.TrimStart('/');

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
            scenario.Completed = true;
        }
        catch (Exception ex) when (ex is PeddlerException or TimeoutException or HttpRequestException or JsonException or OperationCanceledException or InvalidOperationException)
        {
            scenario.Failures.Add($"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        PeddlerAuthorizationServer server = scenario.Server;
        IReadOnlyList<string> carriers = scenario.Carriers;

        // 1. One typed HttpClient, a carrier per request: the selector reads X-Carrier.
        LogStep(logger, "1. A carrier per request: one typed HttpClient, the carrier in an X-Carrier header");
        await CallAsync("first call", carriers, expectedTokenRequests: carriers.Count, "old", cancellationToken);
        await CallAsync("again", carriers, expectedTokenRequests: 0, null, cancellationToken);

        // 2. Peddler rotates the secret: from now on only the new one is accepted.
        LogStep(logger, "2. Secret rotation while running");
        server.RotateSecret(scenario.ClientId, scenario.NewSecret);
        LogRotated(logger, scenario.OldFingerprint, scenario.NewFingerprint);
        await ShowOldSecretRefusedAsync(cancellationToken);

        // The secret store updates the file; the host reloads it and hands the client the new
        // options. Event-driven: wait for OptionsChanged (event 31), bounded.
        Task<string> changed = events.Next(PeddlerEvents.OptionsChanged);
        scenario.Secrets.Write(scenario.ClientId, scenario.NewSecret);
        string message = await changed.WaitAsync(ReloadTimeout, cancellationToken);
        LogReloaded(logger, PeddlerEvents.OptionsChanged, message);

        // Issued tokens are not revoked by a rotation: they stay in service, no token request.
        await CallAsync("after the reload", carriers, expectedTokenRequests: 0, null, cancellationToken);

        // Force new acquisitions: each carrier's next token is requested with the new secret.
        foreach (string carrier in carriers)
        {
            tokens.ForCarrier(carrier).InvalidateToken();
        }

        LogInvalidated(logger, carriers.Count);
        await CallAsync("new token", carriers, expectedTokenRequests: carriers.Count, "new", cancellationToken);

        // 3. A change that fails validation (an empty secret) is refused and logged naming the
        // key; the client keeps its last valid options.
        LogStep(logger, "3. A rejected change: the file's secret emptied");
        Task<string> rejected = events.Next(PeddlerEvents.OptionsChangeRejected);
        scenario.Secrets.Write(scenario.ClientId, string.Empty);
        message = await rejected.WaitAsync(ReloadTimeout, cancellationToken);
        LogReloaded(logger, PeddlerEvents.OptionsChangeRejected, message);
        scenario.Check(message.Contains("Peddler:ClientSecret", StringComparison.Ordinal), $"event 30 does not name Peddler:ClientSecret: {message}");
        tokens.ForCarrier(carriers[0]).InvalidateToken();
        await CallAsync("still working", [carriers[0]], expectedTokenRequests: 1, "new", cancellationToken);
    }

    /// <summary>
    /// Calls the API once per carrier and checks each answer names that carrier, then that exactly
    /// <paramref name="expectedTokenRequests"/> token requests were made, all granted, with the
    /// <paramref name="expectedSecret"/> ("old" or "new").
    /// </summary>
    private async Task CallAsync(string label, IReadOnlyList<string> carriers, int expectedTokenRequests, string? expectedSecret, CancellationToken cancellationToken)
    {
        PeddlerAuthorizationServer server = scenario.Server;
        int before = server.TokenRequests.Count;
        foreach (string carrier in carriers)
        {
            CarrierReply reply = await api.GetCarrierAsync(ApiPath, carrier, cancellationToken);
            LogCall(logger, label, carrier, reply.Status, reply.CarrierId ?? "-", reply.Scope ?? reply.Body);
            scenario.Check(reply.Status == 200, $"{label}, carrier {carrier}: the API answered {reply.Status}");
            scenario.Check(reply.CarrierId == carrier, $"{label}, carrier {carrier}: the token was for carrier '{reply.CarrierId}'");
            scenario.Check(reply.Scope == "DEFAULT authenticated " + carrier, $"{label}, carrier {carrier}: the token's scope was '{reply.Scope}'");
        }

        PeddlerTokenRequestRecord[] made = server.TokenRequests.Skip(before).ToArray();
        if (logger.IsEnabled(LogLevel.Information))
        {
            string requests = made.Length == 0
                ? "each carrier's token came from its cache"
                : string.Join(", ", made.Select(r => $"'{r.GetField("scope")}' with the {scenario.Which(r.SecretFingerprint)} secret -> {r.StatusCode}"));
            LogTokenRequests(logger, made.Length, requests);
        }
        scenario.Check(made.Length == expectedTokenRequests, $"{label}: {made.Length} token request(s), expected {expectedTokenRequests}");
        foreach (PeddlerTokenRequestRecord record in made)
        {
            scenario.Check(record.StatusCode == 200, $"{label}: a token request was answered {record.StatusCode}");
            scenario.Check(scenario.Which(record.SecretFingerprint) == expectedSecret, $"{label}: a token request sent the {scenario.Which(record.SecretFingerprint)} secret, expected the {expectedSecret} one");
        }
    }

    /// <summary>The old secret, sent directly by a client of its own, is now refused (403 access_denied).</summary>
    private async Task ShowOldSecretRefusedAsync(CancellationToken cancellationToken)
    {
        CarrierTokens stale = PeddlerClientFactory.Create<CarrierTokens>(new PeddlerClientOptions
        {
            ClientId = scenario.ClientId,
            ClientSecret = scenario.OldSecret,
            TokenEndpoint = scenario.Server.TokenEndpoint,
            CarrierId = scenario.Carriers[0],
        });
        try
        {
            await stale.GetTokenAsync(cancellationToken);
            scenario.Failures.Add("the old secret was still accepted after the rotation");
        }
        catch (PeddlerAuthenticationException ex)
        {
            LogOldSecretRefused(logger, (int)ex.StatusCode, ex.Error ?? "-");
            scenario.Check(ex.Error == "access_denied", $"the old secret was refused with '{ex.Error}', expected access_denied");
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Step}")]
    private static partial void LogStep(ILogger logger, string step);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Label}, carrier {Carrier}: {Status} carrier_id={CarrierId} scope='{Scope}'")]
    private static partial void LogCall(ILogger logger, string label, string carrier, int status, string carrierId, string scope);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "{Count} token request(s): {Requests}")]
    private static partial void LogTokenRequests(ILogger logger, int count, string requests);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "The local server rotated the secret: old {OldFingerprint} refused from now on, new {NewFingerprint} accepted (fingerprints, never the secrets)")]
    private static partial void LogRotated(ILogger logger, string oldFingerprint, string newFingerprint);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "The old secret, sent by a client of its own, is refused: {Status} {Error}")]
    private static partial void LogOldSecretRefused(ILogger logger, int status, string error);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "peddler.secrets.json rewritten; the client logged event {EventId}: {Message}")]
    private static partial void LogReloaded(ILogger logger, int eventId, string message);

    [LoggerMessage(EventId = 7, Level = LogLevel.Information, Message = "Invalidated the cached token of {Count} carriers: the next calls acquire new ones")]
    private static partial void LogInvalidated(ILogger logger, int count);
}
