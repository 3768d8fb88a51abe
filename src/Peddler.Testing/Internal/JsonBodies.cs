using System;
using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Peddler.Testing;

/// <summary>
/// Writes the server's JSON bodies with <see cref="Utf8JsonWriter"/>: compact, keys in the
/// documented order, no reflection.
/// </summary>
internal static class JsonBodies
{
    public const string MediaType = "application/json";

    // JSON-safe but not HTML-escaped: "Invalid subject: a+b" stays readable, as a real server writes it.
    private static readonly JsonWriterOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    /// <summary><c>{"error":"…","error_description":"…"}</c> (RFC 6749 §5.2).</summary>
    public static byte[] Error(string error, string description)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            writer.WriteString("error", error);
            writer.WriteString("error_description", description);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>{"error_description":"…"}</c>, for answers that carry no error code (RFC 6750 §3.1).</summary>
    public static byte[] Description(string description)
    {
        var buffer = new ArrayBufferWriter<byte>(96);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            writer.WriteString("error_description", description);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>{"access_token":"…","expires_in":…,"scope":"…","token_type":"Bearer"}</c>, in Peddler's documented key order.</summary>
    public static byte[] Token(string accessToken, long expiresIn, string scope)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            writer.WriteString("access_token", accessToken);
            writer.WriteNumber("expires_in", expiresIn);
            writer.WriteString("scope", scope);
            writer.WriteString("token_type", "Bearer");
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>{"carrier_id":…,"client_id":"…","scope":"…"}</c>; <c>carrier_id</c> is <c>null</c> when the token does not carry one.</summary>
    public static byte[] Carrier(string? carrierId, string clientId, string scope)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            if (carrierId is null)
            {
                writer.WriteNull("carrier_id");
            }
            else
            {
                writer.WriteString("carrier_id", carrierId);
            }

            writer.WriteString("client_id", clientId);
            writer.WriteString("scope", scope);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static ReadOnlyMemory<byte> Empty => ReadOnlyMemory<byte>.Empty;
}
