using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using static Peddler.Analyzers.Operations;

namespace Peddler.Analyzers;

/// <summary>
/// The context rules: is a weak name (<c>secret</c>, <c>HostSecret</c>) at this site part of an OAuth
/// client authentication? The words are <see cref="SecretNames"/>'; here is where they are looked for.
/// </summary>
internal static class ClientAuthContext
{
    /// <summary>
    /// Whether a weak name at <paramref name="site"/> (written to <paramref name="target"/>, in
    /// <paramref name="containing"/>) is a client's secret. In order:
    /// a member of a cache type (<c>TokenCacheEntry.Secret</c>) never is; a member of Peddler is;
    /// a client-authentication neighbour (<c>client_id</c>, <c>ClientId</c>, <c>grant_type</c>,
    /// <c>TokenEndpoint</c>, <c>Scopes</c>: a sibling member, parameter, key or tuple element) is
    /// enough; otherwise a name that says another kind of secret (<c>HmacSigner</c>,
    /// <c>AdminUser</c>, <c>WebhookOptions</c>) rules it out, and a type, member or namespace name
    /// that says client authentication (<see cref="SecretNames.IsClientAuthName"/>), or a method
    /// named for authenticating (<see cref="SecretNames.IsAuthenticationMethodName"/>), rules it in.
    /// </summary>
    public static bool IsClientAuthentication(IOperation site, ISymbol? target, ISymbol? containing)
    {
        if (InCacheType(target))
        {
            return false;
        }

        if (target is not null && InPeddlerNamespace(target))
        {
            return true;
        }

        if (HasClientAuthNeighbour(site, target, containing))
        {
            return true;
        }

        if (NamesOtherSecretUse(target) || NamesOtherSecretUse(containing))
        {
            return false;
        }

        return NamesClientAuth(target) || NamesClientAuth(containing) || CreatedTypeNamesClientAuth(site);
    }

    /// <summary>Sibling members, parameters, keys and tuple elements that show a client authentication.</summary>
    private static bool HasClientAuthNeighbour(IOperation site, ISymbol? target, ISymbol? containing)
    {
        // (string clientId, string secret): the target's or the containing method's parameters.
        if (target is IParameterSymbol { ContainingSymbol: IMethodSymbol owner } && HasNeighbourParameter(owner.Parameters))
        {
            return true;
        }

        if (containing is IMethodSymbol method && HasNeighbourParameter(method.Parameters))
        {
            return true;
        }

        // class Registration { ClientId; Secret }, (ClientId: …, Secret: …).
        if (target is IPropertySymbol or IFieldSymbol && target.ContainingType is { } type)
        {
            foreach (ISymbol member in type.GetMembers())
            {
                if (!SymbolEqualityComparer.Default.Equals(member, target) && SecretNames.IsClientAuthNeighbour(member.Name))
                {
                    return true;
                }
            }
        }

        // ("client_id", …), ("secret", …).
        if (site is ITupleOperation tuple && HasNeighbourKey(tuple.Elements))
        {
            return true;
        }

        // new X { ClientId = …, Secret = … }, new Dictionary { ["client_id"] = …, ["secret"] = … }, { { "client_id", … }, { "secret", … } }.
        IOperation? parent = site.Parent;
        for (int depth = 0; parent is not null && depth < 3; depth++, parent = parent.Parent)
        {
            if (parent is IObjectOrCollectionInitializerOperation initializer)
            {
                foreach (IOperation element in initializer.Initializers)
                {
                    if (IsNeighbourElement(element))
                    {
                        return true;
                    }
                }

                break;
            }
        }

        return false;
    }

    private static bool HasNeighbourParameter(ImmutableArray<IParameterSymbol> parameters)
    {
        foreach (IParameterSymbol parameter in parameters)
        {
            if (SecretNames.IsClientAuthNeighbour(parameter.Name))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasNeighbourKey(ImmutableArray<IOperation> elements)
    {
        foreach (IOperation element in elements)
        {
            string? text = ConstantString(element);
            if (text is not null && SecretNames.IsKeyLike(text) && SecretNames.IsClientAuthNeighbour(text))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>An element of an initializer that names a client-authentication neighbour: a member, an index or an <c>Add</c> key.</summary>
    private static bool IsNeighbourElement(IOperation element) => element switch
    {
        IAssignmentOperation { Target: IPropertyReferenceOperation { Property.IsIndexer: true } indexer } =>
            indexer.Arguments.Length == 1 && HasNeighbourKey(ImmutableArray.Create(indexer.Arguments[0].Value)),
        IAssignmentOperation { Target: IMemberReferenceOperation reference } =>
            SecretNames.IsClientAuthNeighbour(reference.Member.Name) || SecretNames.IsClientAuthName(reference.Member.Name),
        IInvocationOperation { Arguments.Length: >= 1 } add => HasNeighbourKey(ImmutableArray.Create(add.Arguments[0].Value)),
        _ => false,
    };

    /// <summary>new OAuthRegistration { Secret = … }: the created type of the initializer the site is in.</summary>
    private static bool CreatedTypeNamesClientAuth(IOperation site) =>
        site is not IArgumentOperation && site.Parent is IObjectOrCollectionInitializerOperation initializer
        && initializer.Parent?.Type is ITypeSymbol created && SecretNames.IsClientAuthName(created.Name);

    /// <summary>
    /// Whether the weak-named target belongs to a cache type (<c>MsalRefreshTokenCacheItem(…, secret, …)</c>,
    /// <c>TokenCacheEntry.Secret</c>): there the secret is the cached token, not the client's secret.
    /// </summary>
    private static bool InCacheType(ISymbol? target) => TypeNameHasWord(target?.ContainingType, "cache", "cached");

    /// <summary>Whether <paramref name="type"/> or a type that contains it has one of <paramref name="words"/> in its name.</summary>
    public static bool TypeNameHasWord(INamedTypeSymbol? type, params string[] words)
    {
        for (; type is not null; type = type.ContainingType)
        {
            if (SecretNames.HasWord(type.Name, words))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the symbol, a member or type that contains it, or its namespace says client authentication (a method also by saying it authenticates).</summary>
    private static bool NamesClientAuth(ISymbol? symbol)
    {
        if (symbol is null)
        {
            return false;
        }

        for (ISymbol? s = symbol; s is not null && s is not INamespaceSymbol; s = s.ContainingSymbol)
        {
            if (SecretNames.IsClientAuthName(s.Name) || (s is IMethodSymbol && SecretNames.IsAuthenticationMethodName(s.Name)))
            {
                return true;
            }
        }

        for (INamespaceSymbol? ns = symbol.ContainingNamespace; ns is not null && !ns.IsGlobalNamespace; ns = ns.ContainingNamespace)
        {
            if (SecretNames.IsClientAuthName(ns.Name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the symbol or a member or type that contains it says another kind of secret (a signing key, an admin's password).</summary>
    private static bool NamesOtherSecretUse(ISymbol? symbol)
    {
        for (ISymbol? s = symbol; s is not null && s is not INamespaceSymbol; s = s.ContainingSymbol)
        {
            if (SecretNames.IsOtherSecretUse(s.Name))
            {
                return true;
            }
        }

        return false;
    }

    private static bool InPeddlerNamespace(ISymbol symbol)
    {
        INamespaceSymbol? ns = symbol.ContainingNamespace;
        while (ns is not null && !ns.IsGlobalNamespace && !ns.ContainingNamespace.IsGlobalNamespace)
        {
            ns = ns.ContainingNamespace;
        }

        return ns is not null && ns.Name == "Peddler";
    }
}
