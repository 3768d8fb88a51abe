// A NativeAOT app using a generated Peddler client. Settings come from the environment:
//   PEDDLER_TOKEN_ENDPOINT  token endpoint (e.g. a Peddler.DevServer at http://127.0.0.1:5005/oauth/token)
//   PEDDLER_CLIENT_ID, PEDDLER_CLIENT_SECRET, PEDDLER_CARRIER_ID
//   PEDDLER_API_URL         optional protected endpoint to call with the token
// Prints one line per step; exit code 0 on success, 1 with a reason on failure.
using System;
using System.Diagnostics;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading.Tasks;
#if !WITHOUT_PEDDLER
using Peddler;
#endif

namespace Peddler.Sample.Aot;

#if !WITHOUT_PEDDLER
[PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated {CarrierId}")]
internal sealed partial class AotTokens;
#endif

internal static class Program
{
    private static async Task<int> Main()
    {
        long started = Stopwatch.GetTimestamp();
        string? endpoint = Environment.GetEnvironmentVariable("PEDDLER_TOKEN_ENDPOINT");
        string? api = Environment.GetEnvironmentVariable("PEDDLER_API_URL");
        using var http = new HttpClient();
        try
        {
#if WITHOUT_PEDDLER
            // The same app without Peddler: one plain request, for the binary-size comparison.
            using HttpResponseMessage plain = await http.GetAsync(new Uri(api ?? "http://127.0.0.1:5005/"));
            Console.WriteLine($"status {(int)plain.StatusCode}");
            return 0;
#else
            var tokens = new AotTokens(http, new PeddlerClientOptions
            {
                ClientId = Environment.GetEnvironmentVariable("PEDDLER_CLIENT_ID"),
                ClientSecret = Environment.GetEnvironmentVariable("PEDDLER_CLIENT_SECRET"),
                CarrierId = Environment.GetEnvironmentVariable("PEDDLER_CARRIER_ID"),
                TokenEndpoint = endpoint is null ? null : new Uri(endpoint),
            });

            PeddlerAccessToken token = await tokens.GetTokenAsync();
            double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            Console.WriteLine($"token {token.Fingerprint} scope '{token.Scope}' expires {token.ExpiresAt:u} ({ms:F1} ms after start)");

            if (api is not null)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, api);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
                using HttpResponseMessage response = await http.SendAsync(request);
                Console.WriteLine($"api {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                return response.IsSuccessStatusCode ? 0 : 1;
            }

            return 0;
#endif
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"failed: {ex.GetType().Name}: {ex.Message}");
            return 1;
        }
    }
}
