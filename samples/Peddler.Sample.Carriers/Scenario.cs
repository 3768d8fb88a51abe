using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using Peddler.Testing;

namespace Peddler.Sample.Carriers;

/// <summary>
/// What the sample runs against: the local server, the secrets file, the client's two secrets
/// (obviously fake, never printed: only their fingerprints) and the carriers; and what went wrong.
/// </summary>
internal sealed class Scenario(PeddlerAuthorizationServer server, SecretsFile secrets, string clientId, string oldSecret, string newSecret, IReadOnlyList<string> carriers)
{
    public PeddlerAuthorizationServer Server { get; } = server;

    public SecretsFile Secrets { get; } = secrets;

    public string ClientId { get; } = clientId;

    public string OldSecret { get; } = oldSecret;

    public string NewSecret { get; } = newSecret;

    public IReadOnlyList<string> Carriers { get; } = carriers;

    /// <summary>The fingerprint the server's request log shows for the old secret.</summary>
    public string OldFingerprint { get; } = PeddlerTokenRequestRecord.SecretFingerprintOf(oldSecret);

    /// <summary>The fingerprint the server's request log shows for the new secret.</summary>
    public string NewFingerprint { get; } = PeddlerTokenRequestRecord.SecretFingerprintOf(newSecret);

    /// <summary>Every check that failed; empty on success.</summary>
    public List<string> Failures { get; } = [];

    /// <summary>Whether the worker ran every step.</summary>
    public bool Completed { get; set; }

    /// <summary>"old", "new" or "none" for a fingerprint in the server's log.</summary>
    public string Which(string? fingerprint) =>
        fingerprint is null ? "none" : fingerprint == OldFingerprint ? "old" : fingerprint == NewFingerprint ? "new" : "other";

    /// <summary>Records a failure unless <paramref name="ok"/>.</summary>
    public void Check(bool ok, string failure)
    {
        if (!ok)
        {
            Failures.Add(failure);
        }
    }
}

/// <summary>
/// The JSON file the client's credentials come from (<c>AddJsonFile(…, reloadOnChange: true)</c>),
/// as a secret store's agent or a mounted Kubernetes secret would keep it.
/// </summary>
internal sealed class SecretsFile(string path)
{
    public string Path { get; } = path;

    /// <summary>Writes <c>{"Peddler":{"ClientId":…,"ClientSecret":…}}</c>, replacing the file in one step.</summary>
    public void Write(string clientId, string clientSecret)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("Peddler");
            json.WriteString("ClientId", clientId);
            json.WriteString("ClientSecret", clientSecret);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        // Written aside, then renamed over the file: the reload never reads half a file.
        string temporary = Path + ".tmp";
        File.WriteAllBytes(temporary, buffer.ToArray());
        File.Move(temporary, Path, overwrite: true);
    }
}
