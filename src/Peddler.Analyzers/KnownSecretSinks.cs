using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Peddler.Analyzers;

/// <summary>
/// Secret sinks matched by symbol: Peddler's own options and the OAuth client libraries users
/// also call. A library's sinks are active only when the library is referenced (its types
/// resolve in the compilation).
/// </summary>
internal sealed class KnownSecretSinks
{
    private readonly INamedTypeSymbol? _peddlerOptions;
    private readonly INamedTypeSymbol? _msalBuilder;
    private readonly INamedTypeSymbol? _azureClientSecretCredential;
    private readonly List<INamedTypeSymbol> _protocolRequests = new();
    private readonly IMethodSymbol? _setEnvironmentVariable;
    private readonly INamedTypeSymbol? _authenticationHeaderValue;
    private readonly INamedTypeSymbol? _networkCredential;
    private readonly List<INamedTypeSymbol> _serverSecrets = new();

    public KnownSecretSinks(Compilation compilation)
    {
        _peddlerOptions = compilation.GetTypeByMetadataName("Peddler.PeddlerClientOptions");
        _msalBuilder = compilation.GetTypeByMetadataName("Microsoft.Identity.Client.ConfidentialClientApplicationBuilder");
        _azureClientSecretCredential = compilation.GetTypeByMetadataName("Azure.Identity.ClientSecretCredential");
        foreach (string name in new[] { "Duende.IdentityModel.Client.ProtocolRequest", "IdentityModel.Client.ProtocolRequest" })
        {
            INamedTypeSymbol? type = compilation.GetTypeByMetadataName(name);
            if (type is not null)
            {
                _protocolRequests.Add(type);
            }
        }

        // Server-side client definitions: new Secret("…".Sha256()) in IdentityServer / Duende client configuration.
        foreach (string name in new[] { "Duende.IdentityServer.Models.Secret", "IdentityServer4.Models.Secret" })
        {
            INamedTypeSymbol? type = compilation.GetTypeByMetadataName(name);
            if (type is not null)
            {
                _serverSecrets.Add(type);
            }
        }

        INamedTypeSymbol? environment = compilation.GetTypeByMetadataName("System.Environment");
        if (environment is not null)
        {
            foreach (ISymbol member in environment.GetMembers("SetEnvironmentVariable"))
            {
                if (member is IMethodSymbol { Parameters.Length: 2 } method)
                {
                    _setEnvironmentVariable = method;
                }
            }
        }

        _authenticationHeaderValue = compilation.GetTypeByMetadataName("System.Net.Http.Headers.AuthenticationHeaderValue");
        _networkCredential = compilation.GetTypeByMetadataName("System.Net.NetworkCredential");
    }

    /// <summary>Whether <paramref name="parameter"/> is the <c>value</c> of an IdentityServer / Duende <c>Secret</c> constructor.</summary>
    public bool IsServerSecretValue(IParameterSymbol parameter) =>
        _serverSecrets.Count > 0 && parameter.Name == "value" && parameter.ContainingSymbol is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor
        && IsServerSecret(constructor.ContainingType);

    /// <summary>Whether <paramref name="property"/> is <c>Value</c> of an IdentityServer / Duende <c>Secret</c>.</summary>
    public bool IsServerSecretProperty(IPropertySymbol property) => property.Name == "Value" && IsServerSecret(property.ContainingType);

    private bool IsServerSecret(INamedTypeSymbol? type)
    {
        foreach (INamedTypeSymbol secret in _serverSecrets)
        {
            if (SymbolEqualityComparer.Default.Equals(type, secret))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Returns the sink when <paramref name="property"/> is a known secret property.</summary>
    public Sink? SecretProperty(IPropertySymbol property)
    {
        INamedTypeSymbol? type = property.ContainingType;
        if (type is null)
        {
            return null;
        }

        if (property.Name == "Value" && IsServerSecret(type))
        {
            return Sink.Known(type.Name + ".Value", property.Name);
        }

        if (property.Name != "ClientSecret")
        {
            return null;
        }

        if (_peddlerOptions is not null && SymbolEqualityComparer.Default.Equals(type, _peddlerOptions))
        {
            return Sink.Known("PeddlerClientOptions.ClientSecret", property.Name);
        }

        foreach (INamedTypeSymbol request in _protocolRequests)
        {
            for (INamedTypeSymbol? t = type; t is not null; t = t.BaseType)
            {
                if (SymbolEqualityComparer.Default.Equals(t, request))
                {
                    return Sink.Known(type.Name + ".ClientSecret", property.Name);
                }
            }
        }

        return null;
    }

    /// <summary>Returns the sink when <paramref name="parameter"/> of <paramref name="method"/> is a known secret parameter.</summary>
    public Sink? SecretParameter(IMethodSymbol method, IParameterSymbol parameter)
    {
        INamedTypeSymbol? type = method.ContainingType;
        if (type is null)
        {
            return null;
        }

        if (IsServerSecretValue(parameter))
        {
            return Sink.Known(type.Name + "(value)", parameter.Name);
        }

        if (_msalBuilder is not null && method.Name == "WithClientSecret" && IsOrDerives(type, _msalBuilder))
        {
            return Sink.Known("ConfidentialClientApplicationBuilder.WithClientSecret", parameter.Name);
        }

        if (_azureClientSecretCredential is not null && method.MethodKind == MethodKind.Constructor
            && parameter.Name == "clientSecret" && SymbolEqualityComparer.Default.Equals(type, _azureClientSecretCredential))
        {
            return Sink.Known("ClientSecretCredential(clientSecret)", parameter.Name);
        }

        if (parameter.Name == "password" && _networkCredential is not null && method.MethodKind == MethodKind.Constructor
            && SymbolEqualityComparer.Default.Equals(type, _networkCredential))
        {
            // new NetworkCredential(clientId, clientSecret) for Basic client authentication.
            return Sink.Known("NetworkCredential(password)", parameter.Name);
        }

        if (parameter.Name == "password" && _protocolRequests.Count > 0)
        {
            string ns = type.ContainingNamespace?.ToDisplayString() ?? string.Empty;
            if (ns == "Duende.IdentityModel.Client" || ns == "IdentityModel.Client" || ns == "Duende.IdentityModel" || ns == "IdentityModel")
            {
                return Sink.Known(type.Name + "." + method.Name + "(password)", parameter.Name);
            }
        }

        return null;
    }

    /// <summary>Whether <paramref name="method"/> is <c>Environment.SetEnvironmentVariable(string, string)</c>.</summary>
    public bool IsSetEnvironmentVariable(IMethodSymbol method) =>
        _setEnvironmentVariable is not null && SymbolEqualityComparer.Default.Equals(method.OriginalDefinition, _setEnvironmentVariable);

    /// <summary>Whether <paramref name="method"/> is a constructor of <c>AuthenticationHeaderValue</c>.</summary>
    public bool IsAuthenticationHeaderValueConstructor(IMethodSymbol method) =>
        _authenticationHeaderValue is not null && method.MethodKind == MethodKind.Constructor
        && SymbolEqualityComparer.Default.Equals(method.ContainingType, _authenticationHeaderValue);

    private static bool IsOrDerives(INamedTypeSymbol type, INamedTypeSymbol baseType)
    {
        for (INamedTypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, baseType))
            {
                return true;
            }
        }

        return false;
    }
}
