using System;
using System.Net.Http;
using System.Threading.Tasks;
using Peddler;
using Xunit;

namespace Peddler.Client.Tests;

/// <summary>The client as the README shows it: carrier fixed at compile time.</summary>
[PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated 900001")]
public partial class CarrierTokens;

/// <summary>Carrier id taken from options at run time.</summary>
[PeddlerClient(Environment = "Production", Scopes = "DEFAULT authenticated {CarrierId}")]
internal sealed partial class ConfiguredCarrierTokens;

/// <summary>Nested, to prove nested clients work at run time too.</summary>
public static partial class Nesting
{
    [PeddlerClient(Environment = "Dev", Scopes = "DEFAULT authenticated")]
    internal sealed partial class NoCarrierTokens;
}

/// <summary>Creates clients with their provider in hand, and checks that calls did not wait.</summary>
internal static class Clients
{
    /// <summary>Long enough for anything on loopback; only guards against a hung test.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static (PeddlerTokenProvider Provider, CarrierTokens Tokens) Create(HttpClient http, PeddlerClientOptions options, TimeProvider? time = null)
    {
        var provider = new PeddlerTokenProvider(http, options, CarrierTokens.Descriptor, time);
        return (provider, PeddlerClientFactory.Create<CarrierTokens>(provider));
    }

    /// <summary>The token of a call that completed at once: served from the cache, no wait on the network.</summary>
    public static PeddlerAccessToken WithoutWaiting(ValueTask<PeddlerAccessToken> call)
    {
        if (!call.IsCompletedSuccessfully)
        {
            Assert.Fail(call.IsFaulted ? $"The caller failed: {call.AsTask().Exception}" : "The caller had to wait for a token.");
        }

        return call.Result;
    }

    /// <summary>
    /// Waits (on the real clock, bounded by <see cref="Patience"/>) until no acquisition is in flight:
    /// a renewal nobody waits for has finished and what it did is recorded (its failure is recorded
    /// before its task completes). Read through the health snapshot, as a probe would.
    /// </summary>
    public static async Task SettledAsync(PeddlerTokenProvider provider)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (provider.Cache.Health().Acquiring)
        {
            if (waited.Elapsed > Patience)
            {
                throw new TimeoutException("An acquisition is still in flight.");
            }

            await Task.Delay(1);
        }
    }

    /// <summary>When the refusal in force ends (through the health snapshot), or <see langword="null"/>.</summary>
    public static DateTimeOffset? RefusedUntil(PeddlerTokenProvider provider, TimeProvider time) =>
        provider.Cache.Health() is { Refusal: not null } health ? time.GetUtcNow() + health.RefusedFor : null;
}
