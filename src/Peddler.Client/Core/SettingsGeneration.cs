using System;
using Peddler.Diagnostics;

namespace Peddler.Core;

/// <summary>
/// One generation of settings: the validated options and everything derived from them (the
/// encoded form body, the diagnostics that name the endpoint, the fleet keys in
/// <see cref="PeddlerRequestSettings.FleetKeys"/>). Replaced as one object on rotation, read once
/// per acquisition, so an acquisition never mixes two generations; a refusal or failure is
/// remembered together with the generation it was seen with.
/// </summary>
internal sealed class SettingsGeneration
{
    private SettingsGeneration(PeddlerRequestSettings settings, PeddlerClientDiagnostics diagnostics, SettingsGeneration? root)
    {
        Settings = settings;
        Diagnostics = diagnostics;
        Root = root;
        RequestBody = PeddlerTokenRequest.EncodeBody(settings);
    }

    /// <summary>The client's own generation.</summary>
    public static SettingsGeneration Create(PeddlerRequestSettings settings, PeddlerClientDiagnostics diagnostics) => new(settings, diagnostics, null);

    public PeddlerRequestSettings Settings { get; }

    /// <summary><c>grant_type=client_credentials&amp;client_id=…&amp;client_secret=…&amp;scope=…</c>, encoded once.</summary>
    public ReadOnlyMemory<byte> RequestBody { get; }

    public PeddlerClientDiagnostics Diagnostics { get; }

    /// <summary>On a carrier's generation: the client's generation it was derived from; <see langword="null"/> on the client's own.</summary>
    public SettingsGeneration? Root { get; }

    /// <summary>The generation of <paramref name="carrierId"/>: these settings with the carrier filled in, the same diagnostics.</summary>
    public SettingsGeneration ForCarrier(string carrierId) => new(Settings.WithCarrier(carrierId), Diagnostics, this);
}
