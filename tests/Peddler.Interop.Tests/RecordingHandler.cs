using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Peddler.Interop.Tests;

/// <summary>One response exactly as the authorization server sent it.</summary>
internal sealed record RecordedResponse(HttpStatusCode StatusCode, string? MediaType, string Body);

/// <summary>
/// Passes every request through to the real server and keeps a copy of each response (buffered
/// first, so the generated client still reads the whole body), to compare what the client
/// reports with what OpenIddict actually answered.
/// </summary>
internal sealed class RecordingHandler : DelegatingHandler
{
    private readonly ConcurrentQueue<RecordedResponse> _responses = new();

    public RecordingHandler()
        : base(new SocketsHttpHandler())
    {
    }

    public IReadOnlyList<RecordedResponse> Responses => _responses.ToList();

    /// <summary>The one response of a test that expects exactly one request.</summary>
    public RecordedResponse Single() => Assert.Single(_responses);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        string body = await response.Content.ReadAsStringAsync(cancellationToken);
        _responses.Enqueue(new RecordedResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body));
        return response;
    }
}
