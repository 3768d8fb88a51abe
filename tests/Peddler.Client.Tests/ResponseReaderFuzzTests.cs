using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Peddler.Protocol;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>
/// A deterministic fuzz of the response reader, in process: generated and mutated bodies (huge,
/// negative and fractional numbers, exponents, numeric strings, nulls, deep nesting, duplicate
/// keys, BOM, invalid UTF-8, truncation, byte flips) may only give a valid token with a bounded
/// lifetime or a Peddler exception type.
/// </summary>
public class ResponseReaderFuzzTests
{
    private const int Seed = 20261201;
    private const int Bodies = 120_000;

    private static readonly string[] Numbers =
    [
        "0", "1", "-1", "7200", "-0", "0.0", "7200.5", "1e3", "1E+3", "1e400", "-1e400", "1e-400", "123456789012345678901234567890",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "1000000000000000",
        "86400", "86401", "4294967296", "2147483648", "00", "01", "+1", ".5", "5.", "0x10", "NaN", "Infinity", "-Infinity",
    ];

    private static readonly string[] Values =
    [
        "null", "true", "false", "[]", "{}", "[1]", "{\"a\":1}", "\"\"", "\"7200\"", "\" 7200\"", "\"7200 \"", "\"1e3\"", "\"-1\"",
        "\"9223372036854775808\"", "\"NaN\"", "\"soon\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\uDFFF\\uD800\"", "\"a\\nb\"", "\"\\r\\nX-Injected: 1\"",
        "\"Bearer\"", "\"bearer\"", "\"BEARER\"", "\"mac\"", "\"fake-token\"", "\"\u00e9\u00e8\"", "\"\\\"\"",
    ];

    private static readonly string[] Keys = ["access_token", "token_type", "expires_in", "scope", "refresh_token", "Access_Token", "expires_in\\u0000", ""];

    [Fact]
    public void Generated_and_mutated_token_bodies_give_a_bounded_token_or_a_protocol_error()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
        var reader = new TokenResponseReader(Settings(), CarrierTokens.Descriptor);
        var random = new Random(Seed);
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);

        for (int i = 0; i < Bodies; i++)
        {
            byte[] body = Mutate(random, Generate(random));
            string outcome;
            try
            {
                PeddlerAccessToken token = reader.ReadToken(body, HttpStatusCode.OK, "application/json", time.GetUtcNow());
                TimeSpan lifetime = token.ExpiresAt - time.GetUtcNow();
                Assert.InRange(lifetime, TimeSpan.Zero, TimeSpan.FromHours(24));
                Assert.False(string.IsNullOrEmpty(token.AccessToken));
                Assert.All(token.AccessToken, c => Assert.InRange(c, '\x20', '\x7E'));
                Assert.Equal("Bearer", token.TokenType, ignoreCase: true);
                outcome = "token";
            }
            catch (PeddlerProtocolException ex)
            {
                Assert.Equal(HttpStatusCode.OK, ex.StatusCode);
                outcome = "protocol";
            }
            catch (Exception ex)
            {
                Assert.Fail($"Body #{i} ({Convert.ToBase64String(body)}) escaped as {ex.GetType()}: {ex.Message}");
                throw;
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        // Both outcomes are exercised, so the generator is not degenerate.
        Assert.True(outcomes.GetValueOrDefault("token") > Bodies / 50, $"tokens: {outcomes.GetValueOrDefault("token")}");
        Assert.True(outcomes.GetValueOrDefault("protocol") > Bodies / 50, $"protocol errors: {outcomes.GetValueOrDefault("protocol")}");
    }

    [Fact]
    public void Generated_and_mutated_error_bodies_give_a_refusal_or_a_protocol_error()
    {
        var reader = new TokenResponseReader(Settings(), CarrierTokens.Descriptor);
        var random = new Random(Seed + 1);
        int refusals = 0;
        for (int i = 0; i < Bodies / 4; i++)
        {
            byte[] body = Mutate(random, GenerateError(random));
            var status = (HttpStatusCode)(random.Next(2) == 0 ? 400 + random.Next(100) : 200 + random.Next(100));
            PeddlerException failure = reader.ReadError(body, status, random.Next(5) == 0 ? "text/html" : "application/json");
            Assert.True(failure is PeddlerAuthenticationException or PeddlerProtocolException, failure.GetType().Name);
            if (failure is PeddlerAuthenticationException refused)
            {
                Assert.InRange((int)refused.StatusCode, 400, 499);
                Assert.False(string.IsNullOrEmpty(refused.Error));
                refusals++;
            }
        }

        Assert.True(refusals > 100, $"refusals: {refusals}");
    }

    private static PeddlerRequestSettings Settings() => PeddlerRequestSettings.From(
        new PeddlerClientOptions { ClientId = Fake.ClientId, ClientSecret = Fake.Secret, DefaultTokenLifetime = TimeSpan.FromDays(365) },
        CarrierTokens.Descriptor);

    private static string AnyValue(Random random, int depth = 0) => random.Next(10) switch
    {
        0 or 1 or 2 => Numbers[random.Next(Numbers.Length)],
        3 or 4 or 5 => Values[random.Next(Values.Length)],
        6 => random.NextInt64().ToString(CultureInfo.InvariantCulture),
        7 => (random.NextDouble() * Math.Pow(10, random.Next(-20, 30)) * (random.Next(2) == 0 ? -1 : 1)).ToString("R", CultureInfo.InvariantCulture),
        8 => Nested(random, random.Next(1, depth < 1 ? 200 : 3)),
        _ => "\"" + random.NextInt64().ToString(CultureInfo.InvariantCulture) + "\"",
    };

    private static string Nested(Random random, int depth) =>
        random.Next(2) == 0
            ? new string('[', depth) + new string(']', depth)
            : string.Concat(System.Linq.Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    private static byte[] Generate(Random random)
    {
        var fields = new List<string>
        {
            "\"access_token\":" + (random.Next(4) == 0 ? AnyValue(random) : "\"fake-token-" + random.Next(1000).ToString(CultureInfo.InvariantCulture) + "\""),
            "\"token_type\":" + (random.Next(4) == 0 ? AnyValue(random) : "\"Bearer\""),
        };
        if (random.Next(6) != 0)
        {
            fields.Add("\"expires_in\":" + (random.Next(3) == 0 ? "7200" : AnyValue(random)));
        }

        if (random.Next(2) == 0)
        {
            fields.Add("\"scope\":" + (random.Next(3) == 0 ? AnyValue(random) : "\"DEFAULT authenticated\""));
        }

        // Duplicate and unknown keys.
        for (int extra = random.Next(3); extra > 0; extra--)
        {
            fields.Add("\"" + Keys[random.Next(Keys.Length)] + "\":" + AnyValue(random, 1));
        }

        Shuffle(random, fields);
        string json = random.Next(20) == 0 ? AnyValue(random) : "{" + string.Join(random.Next(10) == 0 ? " ,\n " : ",", fields) + "}";
        return Encoding.UTF8.GetBytes(json);
    }

    private static byte[] GenerateError(Random random)
    {
        var fields = new List<string> { "\"error\":" + (random.Next(3) == 0 ? AnyValue(random) : "\"access_denied\"") };
        if (random.Next(2) == 0)
        {
            fields.Add("\"error_description\":" + (random.Next(3) == 0 ? AnyValue(random) : "\"Invalid subject: test\""));
        }

        if (random.Next(4) == 0)
        {
            fields.Add("\"error_uri\":" + AnyValue(random));
        }

        Shuffle(random, fields);
        return Encoding.UTF8.GetBytes("{" + string.Join(",", fields) + "}");
    }

    private static void Shuffle(Random random, List<string> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static readonly byte[][] Garbage =
    [
        [0xEF, 0xBB, 0xBF], [0xFF], [0xFE, 0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x00], [(byte)'"'], [(byte)'\\'],
        [(byte)'{'], [(byte)'}'], [(byte)','], [(byte)':'], "\"expires_in\":"u8.ToArray(),
    ];

    private static byte[] Mutate(Random random, byte[] body)
    {
        var bytes = new List<byte>(body);
        int mutations = random.Next(4) == 0 ? 0 : random.Next(1, 4);
        for (int m = 0; m < mutations; m++)
        {
            int at = bytes.Count == 0 ? 0 : random.Next(bytes.Count + 1);
            switch (random.Next(6))
            {
                case 0:
                    // Truncation.
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 1 when bytes.Count > 0:
                    bytes[Math.Min(at, bytes.Count - 1)] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.InsertRange(at, Garbage[random.Next(Garbage.Length)]);
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveAt(Math.Min(at, bytes.Count - 1));
                    break;
                case 4:
                    // A BOM in front, as some servers send.
                    bytes.InsertRange(0, Garbage[0]);
                    break;
                default:
                    bytes.Insert(at, (byte)random.Next(0x20, 0x7F));
                    break;
            }
        }

        return bytes.ToArray();
    }
}
