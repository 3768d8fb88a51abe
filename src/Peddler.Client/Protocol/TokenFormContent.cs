using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace Peddler.Protocol;

/// <summary>
/// The encoded token form (it carries the client secret) as request content that writes itself
/// only to the token endpoint: when an <see cref="HttpClient"/> that follows redirects re-sends the
/// same request to another address (a 307 or 308 keeps the method and the body), the content
/// refuses to serialize, so the body never leaves for that address. The attempt then fails with
/// <see cref="RedirectedTo"/> set.
/// </summary>
internal sealed class TokenFormContent : HttpContent
{
    private readonly ReadOnlyMemory<byte> _body;
    private readonly Uri _tokenEndpoint;
    private HttpRequestMessage? _request;

    public TokenFormContent(ReadOnlyMemory<byte> body, Uri tokenEndpoint)
    {
        _body = body;
        _tokenEndpoint = tokenEndpoint;
        Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded");
    }

    /// <summary>Where a redirect tried to send the form, or <see langword="null"/>.</summary>
    public Uri? RedirectedTo { get; private set; }

    /// <summary>Binds the content to its request, whose address is checked before each write.</summary>
    public HttpRequestMessage Bind(HttpRequestMessage request)
    {
        _request = request;
        request.Content = this;
        return request;
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        EnsureBoundForEndpoint();
        return stream.WriteAsync(_body, cancellationToken).AsTask();
    }

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        EnsureBoundForEndpoint();
        stream.Write(_body.Span);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _body.Length;
        return true;
    }

    // Read back only by code in the caller's pipeline (a logging handler): never sent anywhere by this.
    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(new MemoryStream(_body.ToArray(), writable: false));

    private void EnsureBoundForEndpoint()
    {
        Uri? target = _request?.RequestUri;
        if (target is null || target != _tokenEndpoint)
        {
            RedirectedTo = target;
            throw new RedirectRefusedException();
        }
    }

    /// <summary>Thrown into the caller's HttpClient, which wraps it; never reaches the library's callers.</summary>
    internal sealed class RedirectRefusedException() : IOException("The token form is sent only to the token endpoint.");
}
