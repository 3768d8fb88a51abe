using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Peddler.Diagnostics;

namespace Peddler.Hosting;

/// <summary>
/// The hosted service <c>AddPeddlerClient</c> registers per client: runs
/// <see cref="PeddlerBackgroundRefresh"/> from host start to host stop, unless
/// <see cref="PeddlerClientOptions.BackgroundRefresh"/> is off.
/// </summary>
internal sealed class PeddlerBackgroundRefreshService<TClient>(PeddlerClientServices<TClient> client) : BackgroundService
    where TClient : class, IPeddlerClient<TClient>
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Without a carrier in options there is no token of the client's own to renew: carriers
        // from ForCarrier renew in their refresh window.
        if (!client.BackgroundRefresh || client.Provider.Settings.NeedsCarrier)
        {
            PeddlerLog.BackgroundRefreshDisabled(client.Provider.Diagnostics.Logger);
            return Task.CompletedTask;
        }

        return new PeddlerBackgroundRefresh(client.Provider).RunAsync(stoppingToken);
    }
}
