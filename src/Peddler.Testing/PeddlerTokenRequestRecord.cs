using System;
using System.Collections.Generic;

namespace Peddler.Testing;

/// <summary>
/// One <c>POST /oauth/token</c> as the <see cref="PeddlerAuthorizationServer"/> received and
/// answered it. The value of every <c>client_secret</c> field is replaced by <c>***</c>.
/// </summary>
public sealed class PeddlerTokenRequestRecord
{
    /// <summary>The mask that replaces secret values.</summary>
    public const string Mask = "***";

    internal PeddlerTokenRequestRecord(
        DateTimeOffset receivedAt,
        string? contentType,
        IReadOnlyList<KeyValuePair<string, string>> fields,
        int? statusCode,
        string? error,
        PeddlerFaultKind? fault,
        string? secretFingerprint)
    {
        ReceivedAt = receivedAt;
        ContentType = contentType;
        Fields = fields;
        StatusCode = statusCode;
        Error = error;
        Fault = fault;
        SecretFingerprint = secretFingerprint;
    }

    /// <summary>When the request arrived, on the server's <see cref="PeddlerAuthorizationServerOptions.TimeProvider"/>.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>The request's <c>Content-Type</c> header as sent, or <see langword="null"/> when absent.</summary>
    public string? ContentType { get; }

    /// <summary>
    /// The form fields, form-decoded, in the order received; a repeated field appears once per
    /// value. Empty when the body was not <c>application/x-www-form-urlencoded</c> or could not be read.
    /// <c>client_secret</c> values (any letter case of the name) are <see cref="Mask"/>. Names that
    /// differ only in letter case are listed under the first spelling received (ASP.NET Core's form
    /// reader merges them); the server itself matches parameter names case-sensitively.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fields { get; }

    /// <summary>
    /// The status code answered, or <see langword="null"/> when no response was sent (a
    /// <see cref="PeddlerFaultKind.DropConnection"/> fault, the client gave up, or the server stopped).
    /// </summary>
    public int? StatusCode { get; }

    /// <summary>The OAuth <c>error</c> code answered by the server's own logic (e.g. <c>access_denied</c>), or <see langword="null"/>.</summary>
    public string? Error { get; }

    /// <summary>The kind of fault applied to this request, or <see langword="null"/> when none was queued.</summary>
    public PeddlerFaultKind? Fault { get; }

    /// <summary>
    /// Which secret arrived, without showing it: <see cref="SecretFingerprintOf"/> of the
    /// <c>client_secret</c> field (the first one named exactly so), or <see langword="null"/> when
    /// absent. Compare it with <see cref="SecretFingerprintOf"/> of the secrets you know, e.g. to
    /// tell the old secret from the new one after a rotation.
    /// </summary>
    public string? SecretFingerprint { get; }

    /// <summary>The <c>client_id</c> field, or <see langword="null"/> when absent.</summary>
    public string? ClientId => GetField("client_id");

    /// <summary>The first value of the field named exactly <paramref name="name"/> (case-sensitive), or <see langword="null"/> when absent.</summary>
    /// <param name="name">The field name, e.g. <c>scope</c>.</param>
    public string? GetField(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (KeyValuePair<string, string> field in Fields)
        {
            if (string.Equals(field.Key, name, StringComparison.Ordinal))
            {
                return field.Value;
            }
        }

        return null;
    }

    /// <summary>
    /// The fingerprint of a client secret: the first 8 hexadecimal digits (lowercase) of the SHA-256
    /// of its UTF-8 bytes, as <see cref="SecretFingerprint"/> shows it. Enough to tell a test's
    /// secrets apart; too short to stand for the secret, and meant for test secrets only.
    /// </summary>
    /// <param name="clientSecret">The secret.</param>
    /// <returns>8 lowercase hexadecimal digits.</returns>
    public static string SecretFingerprintOf(string clientSecret)
    {
        ArgumentNullException.ThrowIfNull(clientSecret);
        Span<byte> hash = stackalloc byte[System.Security.Cryptography.SHA256.HashSizeInBytes];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(clientSecret), hash);
        return Convert.ToHexString(hash[..4]).ToLowerInvariant();
    }

    /// <summary>Describes the request without any secret, e.g. <c>POST /oauth/token client_id=test → 403 access_denied</c>.</summary>
    public override string ToString()
    {
        string outcome = StatusCode is int status ? status.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no response";
        return $"POST /oauth/token client_id={ClientId ?? "(none)"} → {outcome}{(Error is null ? string.Empty : " " + Error)}{(Fault is null ? string.Empty : $" (fault {Fault})")}";
    }
}
