using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

namespace Peddler.Testing;

/// <summary>
/// A host lifetime that ignores Ctrl+C and SIGTERM: the embedded server lives as long as its
/// owner, and never takes over the signals of the process that hosts it (the default
/// <c>ConsoleLifetime</c> would).
/// </summary>
internal sealed class NoHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
