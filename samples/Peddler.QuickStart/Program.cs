// The quick start: acquire a Peddler token through a [PeddlerClient]-generated client and call a
// protected API with it. With PEDDLER_CLIENT_ID and PEDDLER_CLIENT_SECRET unset it runs against
// the local authorization server (Peddler.Testing) in this process; with them set it talks to
// Peddler's Dev environment (carrier id from PEDDLER_CARRIER_ID).
using System;
using System.Globalization;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Peddler;
using Peddler.Testing;

namespace Peddler.QuickStart;

/// <summary>The generated client: Dev environment, carrier id supplied at run time.</summary>
[PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated {CarrierId}")]
internal sealed partial class QuickStartTokens;

internal static class Program
{
    private const string LocalCarrierId = "900001";

    private static async Task<int> Main()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            string? clientId = Environment.GetEnvironmentVariable("PEDDLER_CLIENT_ID");
            string? clientSecret = Environment.GetEnvironmentVariable("PEDDLER_CLIENT_SECRET");
            return string.IsNullOrEmpty(clientId) && string.IsNullOrEmpty(clientSecret)
                ? await RunLocalAsync(timeout.Token)
                : await RunDevAsync(clientId, clientSecret, timeout.Token);
        }
        catch (PeddlerAuthenticationException ex)
        {
            return Fail($"the token endpoint refused the request: {(int)ex.StatusCode} {ex.Error}{(ex.ErrorDescription is null ? "" : $" ({ex.ErrorDescription})")}");
        }
        catch (Exception ex) when (ex is PeddlerException or TimeoutException or HttpRequestException or ArgumentException or InvalidOperationException or OperationCanceledException)
        {
            return Fail(ex.Message);
        }
    }

    private static async Task<int> RunLocalAsync(CancellationToken cancellationToken)
    {
        // A throwaway credential for this run only: nothing secret is stored anywhere.
        string clientId = "quickstart-client";
        string clientSecret = "local-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));

        await using var server = new PeddlerAuthorizationServer();
        server.AddClient(clientId, clientSecret, LocalCarrierId);
        await server.StartAsync(cancellationToken);
        Console.WriteLine("Peddler quick start: local authorization server (PEDDLER_CLIENT_ID/PEDDLER_CLIENT_SECRET not set)");

        var options = new PeddlerClientOptions
        {
            ClientId = clientId,
            ClientSecret = clientSecret,
            CarrierId = LocalCarrierId,
            TokenEndpoint = server.TokenEndpoint,
        };
        return await AcquireAndCallAsync(options, server.ApiEndpoint, cancellationToken);
    }

    private static async Task<int> RunDevAsync(string? clientId, string? clientSecret, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(clientSecret))
        {
            return Fail("set both PEDDLER_CLIENT_ID and PEDDLER_CLIENT_SECRET, or neither to use the local server");
        }

        string? carrierId = Environment.GetEnvironmentVariable("PEDDLER_CARRIER_ID");
        if (string.IsNullOrEmpty(carrierId))
        {
            return Fail("set PEDDLER_CARRIER_ID to the carrier id Peddler issued for your account");
        }

        Console.WriteLine("Peddler quick start: Peddler's Dev environment");
        var options = new PeddlerClientOptions { ClientId = clientId, ClientSecret = clientSecret, CarrierId = carrierId };
        string? api = Environment.GetEnvironmentVariable("PEDDLER_API_URL");
        return await AcquireAndCallAsync(options, api is null ? null : new Uri(api), cancellationToken);
    }

    private static async Task<int> AcquireAndCallAsync(PeddlerClientOptions options, Uri? api, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        var tokens = new QuickStartTokens(http, options);
        Console.WriteLine($"  token endpoint : {tokens.EffectiveTokenEndpoint}");

        PeddlerAccessToken token = await tokens.GetTokenAsync(cancellationToken);
        TimeSpan remaining = token.ExpiresAt - DateTimeOffset.UtcNow;
        Console.WriteLine($"  granted scope  : {token.Scope}");
        Console.WriteLine($"  token          : {token.TokenType} {new string('*', 8)} (redacted; fingerprint {token.Fingerprint}, {token.AccessToken.Length} chars)");
        Console.WriteLine($"  expires        : {token.ExpiresAt.ToString("u", CultureInfo.InvariantCulture)} (in {remaining.TotalMinutes:F0} min)");

        if (api is null)
        {
            Console.WriteLine("  API call       : skipped (set PEDDLER_API_URL to call an endpoint with the token)");
            return 0;
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, api);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        using HttpResponseMessage response = await http.SendAsync(request, cancellationToken);
        string body = await response.Content.ReadAsStringAsync(cancellationToken);
        Console.WriteLine($"  GET {api.AbsolutePath,-11}: {(int)response.StatusCode} {body}");
        if (!response.IsSuccessStatusCode)
        {
            return Fail($"the API answered {(int)response.StatusCode}");
        }

        Console.WriteLine("OK");
        return 0;
    }

    private static int Fail(string reason)
    {
        Console.Error.WriteLine($"Peddler quick start failed: {reason}");
        return 1;
    }
}
