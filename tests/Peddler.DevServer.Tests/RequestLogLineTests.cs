using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading.Tasks;
using Peddler.Testing;
using Xunit;

namespace Peddler.DevServer.Tests;

public sealed class RequestLogLineTests
{
    [Fact]
    public async Task The_line_shows_the_scope_outcome_and_fingerprint_on_one_line_without_the_secret()
    {
        await using var server = new PeddlerAuthorizationServer();
        server.AddClient(Fake.Platform, Fake.Secret, "900001").AddCarriers(Fake.Platform, ["900002"]);
        await server.StartAsync();
        using var http = new HttpClient { Timeout = DevServerProcess.Patience };

        async Task PostAsync(string clientId, string? scope)
        {
            var fields = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials"), new("client_id", clientId), new("client_secret", Fake.Secret) };
            if (scope is not null)
            {
                fields.Add(new("scope", scope));
            }

            using var content = new FormUrlEncodedContent(fields);
            using HttpResponseMessage response = await http.PostAsync(server.TokenEndpoint, content);
        }

        await PostAsync(Fake.Platform, "900002 DEFAULT authenticated");
        await PostAsync(Fake.Platform, "DEFAULT authenticated 900009");
        await PostAsync("evil\"\nid", null);

        IReadOnlyList<PeddlerTokenRequestRecord> records = server.TokenRequests;
        string fingerprint = "fp:" + PeddlerTokenRequestRecord.SecretFingerprintOf(Fake.Secret);
        string[] lines = [.. System.Linq.Enumerable.Select(records, RequestLogLine.Format)];

        // The granted scope (normalised) on a 200, the requested one on a refusal.
        Assert.EndsWith($" POST /oauth/token client_id=platform scope=\"DEFAULT authenticated 900002\" secret={fingerprint} → 200", lines[0], StringComparison.Ordinal);
        Assert.EndsWith($" POST /oauth/token client_id=platform scope=\"DEFAULT authenticated 900009\" secret={fingerprint} → 400 invalid_scope", lines[1], StringComparison.Ordinal);
        Assert.EndsWith($" POST /oauth/token client_id=\"evil\\\"\\u000aid\" scope=(none) secret={fingerprint} → 403 access_denied", lines[2], StringComparison.Ordinal);
        Assert.Matches(@"^\d\d:\d\d:\d\d POST ", lines[0]);
        Assert.All(lines, l => Assert.DoesNotContain(Fake.Secret, l, StringComparison.Ordinal));
        Assert.All(lines, l => Assert.DoesNotContain('\n', l));
    }
}
