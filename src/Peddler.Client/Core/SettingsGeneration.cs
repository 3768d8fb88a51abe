using System;
using Peddler.Diagnostics;
using Peddler.Endpoint;

namespace Peddler.Core;

/// <summary>
/// One generation of settings: the validated options and everything derived from them — the
/// <see cref="TokenEndpointClient"/> (with the form body encoded once), the diagnostics that name
/// the endpoint, and the fleet keys in <see cref="PeddlerRequestSettings.FleetKeys"/>. Replaced as
/// one object on rotation, read once per acquisition, so an acquisition never mixes two
/// generations; a refusal is remembered with the generation it was seen with.
/// </summary>
internal sealed class SettingsGeneration
{
    private readonly PeddlerClientDescriptor _descriptor;
    private readonly TimeProvider _timeProvider;

    private SettingsGeneration(PeddlerRequestSettings settings, PeddlerClientDiagnostics diagnostics, PeddlerClientDescriptor descriptor, TimeProvider timeProvider, SettingsGeneration? root)
    {
        _descriptor = descriptor;
        _timeProvider = timeProvider;
        Endpoint = new TokenEndpointClient(settings, descriptor, diagnostics, timeProvider);
        Root = root;
    }

    /// <summary>The client's own generation.</summary>
    public static SettingsGeneration Create(PeddlerRequestSettings settings, PeddlerClientDiagnostics diagnostics, PeddlerClientDescriptor descriptor, TimeProvider timeProvider) =>
        new(settings, diagnostics, descriptor, timeProvider, null);

    /// <summary>The way to the token endpoint with these settings: one attempt and the retry loop.</summary>
    public TokenEndpointClient Endpoint { get; }

    public PeddlerRequestSettings Settings => Endpoint.Settings;

    public PeddlerClientDiagnostics Diagnostics => Endpoint.Diagnostics;

    /// <summary>On a carrier's generation: the client's generation it was derived from; <see langword="null"/> on the client's own.</summary>
    public SettingsGeneration? Root { get; }

    /// <summary>The generation of <paramref name="carrierId"/>: these settings with the carrier filled in, the same diagnostics.</summary>
    public SettingsGeneration ForCarrier(string carrierId) => new(Settings.WithCarrier(carrierId), Diagnostics, _descriptor, _timeProvider, this);
}
