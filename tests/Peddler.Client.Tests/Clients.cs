using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Peddler;
using Peddler.Caching;
using Peddler.Diagnostics;
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

    /// <summary>
    /// A provider built as hosts build one: its diagnostics log to <paramref name="logger"/> and count on
    /// <paramref name="instruments"/> (nowhere and the process-wide meter when <see langword="null"/>),
    /// with <paramref name="fleet"/> as its shared cache when given.
    /// </summary>
    public static PeddlerTokenProvider Provider(
        HttpClient http,
        PeddlerClientOptions options,
        PeddlerClientDescriptor descriptor,
        TimeProvider? time = null,
        ILogger? logger = null,
        PeddlerInstruments? instruments = null,
        PeddlerSharedTokenCache? fleet = null) =>
        new(http, null, options, descriptor, time, s => new PeddlerClientDiagnostics(descriptor.ClientName, s.TokenEndpoint, logger, instruments), fleet);

    /// <summary>Waits (on the real clock, bounded by <see cref="Patience"/>) until <paramref name="done"/>; returns whether it came.</summary>
    public static async Task<bool> UntilAsync(Func<bool> done)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!done())
        {
            if (waited.Elapsed > Patience)
            {
                return false;
            }

            await Task.Delay(5);
        }

        return true;
    }

    /// <summary>
    /// Steps <paramref name="time"/> by <paramref name="step"/> every few real milliseconds until
    /// <paramref name="done"/> (bounded by <see cref="Patience"/>); returns whether it came. For waits
    /// that start only once a request reaches the server, so a single advance could come before
    /// their timer exists. Stop at the first sign wanted: every further step moves the clients' own
    /// timers too.
    /// </summary>
    public static async Task<bool> AdvanceUntilAsync(FakeTimeProvider time, Func<bool> done, TimeSpan step)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!done())
        {
            if (waited.Elapsed > Patience)
            {
                return false;
            }

            await Task.Delay(5);
            time.Advance(step);
        }

        return true;
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
        if (!await UntilAsync(() => !provider.Cache.Health().Acquiring))
        {
            throw new TimeoutException("An acquisition is still in flight.");
        }
    }

    /// <summary>When the refusal in force ends (through the health snapshot), or <see langword="null"/>.</summary>
    public static DateTimeOffset? RefusedUntil(PeddlerTokenProvider provider, TimeProvider time) =>
        provider.Cache.Health() is { Refusal: not null } health ? time.GetUtcNow() + health.RefusedFor : null;
}

/// <summary>A fleet cache that asks the endpoint every time: for tests of what the client does around one.</summary>
internal class PassThroughFleet : PeddlerSharedTokenCache
{
    public override Task<PeddlerAccessToken> GetOrRequestAsync(PeddlerTokenCacheContext context, Func<CancellationToken, Task<PeddlerAccessToken>> requestToken, CancellationToken cancellationToken) =>
        requestToken(cancellationToken);

    public override Task InvalidateAsync(PeddlerTokenCacheContext context, PeddlerAccessToken token, CancellationToken cancellationToken) => Task.CompletedTask;
}
