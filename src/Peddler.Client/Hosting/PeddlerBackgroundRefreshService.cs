using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Peddler.Diagnostics;

namespace Peddler.Hosting;

/// <summary>
/// The hosted service <c>AddPeddlerClient</c> registers per client: runs
/// <see cref="PeddlerBackgroundRefresh"/> for the client's own token and
/// <see cref="PeddlerCarrierRenewal"/> for its run-time carriers from host start to host stop,
/// unless <see cref="PeddlerClientOptions.BackgroundRefresh"/> is off.
/// </summary>
internal sealed class PeddlerBackgroundRefreshService<TClient>(PeddlerClientServices<TClient> client) : BackgroundService
    where TClient : class, IPeddlerClient<TClient>
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        PeddlerTokenProvider provider = client.Provider;
        if (!client.BackgroundRefresh)
        {
            PeddlerLog.BackgroundRefreshDisabled(provider.Diagnostics.Logger);
            return;
        }

        // The client's own token when its options name a carrier (or its Scopes fix one); the
        // run-time carriers when its Scopes take {CarrierId}; both for a {CarrierId} client with
        // a CarrierId in its options.
        bool ownToken = !provider.Settings.NeedsCarrier;
        PeddlerCarrierRenewal? carriers = provider.Carriers is not null ? new PeddlerCarrierRenewal(provider) : null;
        string coverage = (ownToken, carriers) switch
        {
            (true, null) => "the client's token",
            (true, { } renewal) => "the client's token and " + renewal.Coverage,
            (false, { } renewal) => renewal.Coverage,
            _ => "nothing",
        };
        PeddlerLog.BackgroundRefreshStarted(provider.Diagnostics.Logger, coverage);

        try
        {
            Task own = ownToken ? new PeddlerBackgroundRefresh(provider).RunAsync(stoppingToken) : Task.CompletedTask;
            await (carriers is null ? own : Task.WhenAll(own, carriers.RunAsync(stoppingToken))).ConfigureAwait(false);
        }
        finally
        {
            PeddlerLog.BackgroundRefreshStopped(provider.Diagnostics.Logger);
        }
    }
}
