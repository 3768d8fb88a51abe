using System;
using System.ComponentModel;

namespace Peddler;

/// <summary>
/// Helpers the generated <c>[PeddlerClient]</c> classes call, so that each generated class stays
/// a thin shell over <see cref="PeddlerTokenProvider"/>. Not meant to be called by hand.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PeddlerGeneratedCode
{
    /// <summary>
    /// Checks that <paramref name="tokenProvider"/> was made for <paramref name="descriptor"/>
    /// (the very instance, not an equal one) and returns it.
    /// </summary>
    /// <param name="tokenProvider">The provider a host hands to <c>IPeddlerClient&lt;T&gt;.Create</c>.</param>
    /// <param name="descriptor">The generated class's <c>Descriptor</c>.</param>
    /// <returns><paramref name="tokenProvider"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The provider was made for another client.</exception>
    public static PeddlerTokenProvider Adopt(PeddlerTokenProvider tokenProvider, PeddlerClientDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(tokenProvider);
        ArgumentNullException.ThrowIfNull(descriptor);
        if (!ReferenceEquals(tokenProvider.Descriptor, descriptor))
        {
            throw new ArgumentException(
                "The provider was made for the client '" + tokenProvider.Descriptor.ClientName + "', not '" + descriptor.ClientName + "'.",
                nameof(tokenProvider));
        }

        return tokenProvider;
    }

    /// <summary>
    /// The error a generated class throws when its <c>[PeddlerClient]</c> attribute names no known
    /// environment: the build reported it (PDL009 or PDL010) unless that error was switched off.
    /// </summary>
    /// <param name="clientName">The annotated class's name.</param>
    /// <returns>The exception to throw.</returns>
    public static InvalidOperationException UnknownEnvironment(string clientName) =>
        new("[PeddlerClient] on '" + clientName + "' names no known Peddler environment ('Dev' or 'Production'), so it has no token endpoint; see build error PDL009/PDL010.");
}
