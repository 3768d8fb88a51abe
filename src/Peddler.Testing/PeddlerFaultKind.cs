namespace Peddler.Testing;

/// <summary>The kinds of <see cref="PeddlerFault"/>.</summary>
public enum PeddlerFaultKind
{
    /// <summary>Waits, then answers normally (<see cref="PeddlerFault.Delay"/>).</summary>
    Delay,

    /// <summary>A 4xx or 5xx answer (<see cref="PeddlerFault.Status"/>).</summary>
    Status,

    /// <summary>429 with <c>Retry-After</c> (<see cref="PeddlerFault.TooManyRequests"/>).</summary>
    TooManyRequests,

    /// <summary>200 with truncated JSON (<see cref="PeddlerFault.MalformedJson"/>).</summary>
    MalformedJson,

    /// <summary>An HTML error page, as a proxy sends (<see cref="PeddlerFault.HtmlError"/>).</summary>
    HtmlError,

    /// <summary>The connection is aborted without an answer (<see cref="PeddlerFault.DropConnection"/>).</summary>
    DropConnection,

    /// <summary>An exact status, content type, body and headers (<see cref="PeddlerFault.Respond(int, string, string, System.Collections.Generic.IEnumerable{System.Collections.Generic.KeyValuePair{string, string}}?)"/>).</summary>
    Respond,

    /// <summary>200 with a JSON body that never ends, or a huge one (<see cref="PeddlerFault.EndlessBody"/>).</summary>
    EndlessBody,

    /// <summary>A 3xx with a <c>Location</c> (<see cref="PeddlerFault.Redirect"/>).</summary>
    Redirect,

    /// <summary>200 with a token response whose <c>expires_in</c> is any JSON value (<see cref="PeddlerFault.ExpiresIn"/>).</summary>
    ExpiresIn,
}
