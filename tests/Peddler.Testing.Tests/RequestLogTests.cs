using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading.Tasks;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Peddler.Testing.Tests;

public sealed class RequestLogTests
{
    [Fact]
    public async Task The_log_keeps_the_fields_as_received_with_the_secret_masked()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero));
        await using PeddlerAuthorizationServer server = await Wire.StartAsync(o => o.TimeProvider = time);
        using var http = new HttpClient();

        await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());

        PeddlerTokenRequestRecord record = Assert.Single(server.TokenRequests);
        Assert.Equal(
            new KeyValuePair<string, string>[]
            {
                new("grant_type", "client_credentials"),
                new("client_id", Fake.ClientId),
                new("client_secret", "***"),
                new("scope", "DEFAULT authenticated 900001"),
            },
            record.Fields);
        Assert.Equal("application/x-www-form-urlencoded", record.ContentType);
        Assert.Equal(200, record.StatusCode);
        Assert.Null(record.Error);
        Assert.Null(record.Fault);
        Assert.Equal(time.GetUtcNow(), record.ReceivedAt);
    }

    [Fact]
    public async Task No_trace_of_the_secret_is_kept_for_any_outcome()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();
        server.Faults.Enqueue(PeddlerFault.DropConnection());

        await Assert.ThrowsAsync<HttpRequestException>(() => Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm()));
        await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());
        await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm(secret: "fake-wrong-secret"));
        await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm(scope: "bad-scope"));
        await Wire.PostAsync(http, server.TokenEndpoint, Wire.Raw("grant_type=client_credentials&Client_Secret=fake-secret-do-not-use&client_secret=fake-secret-do-not-use", "application/x-www-form-urlencoded"));

        IReadOnlyList<PeddlerTokenRequestRecord> records = server.TokenRequests;
        Assert.Equal(5, records.Count);
        foreach (PeddlerTokenRequestRecord record in records)
        {
            Assert.DoesNotContain(record.Fields, f => f.Value.Contains("secret", StringComparison.OrdinalIgnoreCase));
            Assert.All(record.Fields.Where(f => f.Key.Equals("client_secret", StringComparison.OrdinalIgnoreCase)), f => Assert.Equal("***", f.Value));
            Assert.DoesNotContain("secret-do-not-use", record.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal([null, 200, 403, 400, 400], records.Select(r => r.StatusCode));
        Assert.Equal([null, null, "access_denied", "invalid_scope", "invalid_request"], records.Select(r => r.Error));
    }

    [Fact]
    public async Task A_body_that_is_not_a_form_is_logged_without_fields()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        await Wire.PostAsync(http, server.TokenEndpoint, Wire.Raw("""{"client_secret":"fake-secret-do-not-use"}""", "application/json"));

        PeddlerTokenRequestRecord record = Assert.Single(server.TokenRequests);
        Assert.Empty(record.Fields);
        Assert.Equal("application/json", record.ContentType);
        Assert.Equal("invalid_request", record.Error);
    }

    [Fact]
    public async Task Every_value_of_a_repeated_field_is_logged_in_order()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        await Wire.PostAsync(http, server.TokenEndpoint, Wire.Raw("scope=a&grant_type=client_credentials&scope=b", "application/x-www-form-urlencoded"));

        PeddlerTokenRequestRecord record = Assert.Single(server.TokenRequests);
        Assert.Equal(["scope=a", "scope=b", "grant_type=client_credentials"], record.Fields.Select(f => f.Key + "=" + f.Value));
        Assert.Equal("a", record.GetField("scope"));
        Assert.Null(record.GetField("Scope"));
    }

    [Fact]
    public void Registrations_and_options_never_print_the_secret()
    {
        var registration = new PeddlerClientRegistration(Fake.ClientId, Fake.Secret, Fake.Carrier);

        Assert.DoesNotContain(Fake.Secret, registration.ToString(), StringComparison.Ordinal);
        Assert.Contains(Fake.ClientId, registration.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_log_tells_which_secret_arrived_by_its_fingerprint_only()
    {
        await using PeddlerAuthorizationServer server = await Wire.StartAsync();
        using var http = new HttpClient();

        await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm());
        await Wire.PostAsync(http, server.TokenEndpoint, Wire.TokenForm(secret: "fake-other-secret"));
        await Wire.PostAsync(http, server.TokenEndpoint, Wire.Form(("grant_type", "client_credentials"), ("client_id", Fake.ClientId)));

        IReadOnlyList<PeddlerTokenRequestRecord> records = server.TokenRequests;
        Assert.Equal(3, records.Count);
        Assert.Equal(PeddlerTokenRequestRecord.SecretFingerprintOf(Fake.Secret), records[0].SecretFingerprint);
        Assert.Equal(PeddlerTokenRequestRecord.SecretFingerprintOf("fake-other-secret"), records[1].SecretFingerprint);
        Assert.Null(records[2].SecretFingerprint);
        Assert.NotEqual(records[0].SecretFingerprint, records[1].SecretFingerprint);
        Assert.Equal([200, 403, 400], records.Select(r => r.StatusCode ?? 0));

        // 8 hex digits of SHA-256("abc") = ba7816bf…; never the secret itself.
        Assert.Equal("ba7816bf", PeddlerTokenRequestRecord.SecretFingerprintOf("abc"));
        Assert.Matches("^[0-9a-f]{8}$", records[0].SecretFingerprint!);
        Assert.DoesNotContain(Fake.Secret, records[0].SecretFingerprint!, StringComparison.Ordinal);
    }
}
