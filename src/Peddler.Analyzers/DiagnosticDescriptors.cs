using Microsoft.CodeAnalysis;

namespace Peddler.Analyzers;

/// <summary>
/// Every diagnostic of the Peddler analyzers and generator, in one place (the generator compiles
/// this file too). Ids are <c>const</c> so that code fixes and suppressions can name them; each
/// descriptor's help link points at its page under <c>docs/diagnostics/</c>. Each id is reported by
/// exactly one component: PDL012–PDL015 by the generator, the others by the analyzers.
/// </summary>
internal static class DiagnosticDescriptors
{
    /// <summary>The fixed set of categories.</summary>
    internal static class Categories
    {
        /// <summary>Secrets and transport security.</summary>
        public const string Security = "Security";

        /// <summary>Misuse of the <c>[PeddlerClient]</c> attribute and its scope string.</summary>
        public const string Usage = "Usage";
    }

    /// <summary>PDL001: a hard-coded client secret.</summary>
    public const string HardCodedClientSecretId = "PDL001";

    /// <summary>PDL002: the scopes name no carrier.</summary>
    public const string MissingCarrierScopeId = "PDL002";

    /// <summary>PDL003: Peddler's documentation placeholder <c>CARRIER_ID</c> left in the scopes.</summary>
    public const string DocumentationPlaceholderInScopesId = "PDL003";

    /// <summary>PDL004: a scope token with characters outside RFC 6749 §3.3.</summary>
    public const string InvalidScopeCharactersId = "PDL004";

    /// <summary>PDL005: scopes not separated by single spaces.</summary>
    public const string EmptyScopeTokenId = "PDL005";

    /// <summary>PDL006: a scope token written twice.</summary>
    public const string DuplicateScopeTokenId = "PDL006";

    /// <summary>PDL007: a Peddler scope or the run-time placeholder in the wrong case.</summary>
    public const string ScopeCaseMismatchId = "PDL007";

    /// <summary>PDL008: <c>DEFAULT</c> or <c>authenticated</c> missing.</summary>
    public const string MissingRequiredScopeId = "PDL008";

    /// <summary>PDL009: an unknown environment.</summary>
    public const string UnknownEnvironmentId = "PDL009";

    /// <summary>PDL010: no environment.</summary>
    public const string MissingEnvironmentId = "PDL010";

    /// <summary>PDL011: no scopes.</summary>
    public const string MissingScopesId = "PDL011";

    /// <summary>PDL012: the annotated class is not partial (reported by the generator).</summary>
    public const string ClientNotPartialId = "PDL012";

    /// <summary>PDL013: the annotated class is static (reported by the generator).</summary>
    public const string ClientIsStaticId = "PDL013";

    /// <summary>PDL014: the annotated class is generic (reported by the generator).</summary>
    public const string ClientIsGenericId = "PDL014";

    /// <summary>PDL015: the annotated class is nested in a type that is not partial (reported by the generator).</summary>
    public const string ContainingTypeNotPartialId = "PDL015";

    /// <summary>PDL016: the token endpoint is plain http on a host that is not loopback.</summary>
    public const string InsecureTokenEndpointId = "PDL016";

    /// <summary>PDL017: a client secret in a configuration file (<c>appsettings*.json</c>, <c>launchSettings.json</c>).</summary>
    public const string ConfigurationFileSecretId = "PDL017";

    /// <summary>PDL001.</summary>
    public static readonly DiagnosticDescriptor HardCodedClientSecret = Create(
        HardCodedClientSecretId,
        "Hard-coded client secret",
        "A hard-coded client secret reaches '{0}'; load it from configuration, an environment variable or a secret store instead",
        Categories.Security,
        DiagnosticSeverity.Warning,
        "A client secret written in source ends up in source control, build outputs and every copy of the binaries. Read it at run time (configuration, environment variable, secret store) and rotate any secret that was committed.");

    /// <summary>PDL002.</summary>
    public static readonly DiagnosticDescriptor MissingCarrierScope = Create(
        MissingCarrierScopeId,
        "Scopes name no carrier",
        "Scopes '{0}' contain no carrier id; append your carrier id, or '{{CarrierId}}' to take it from PeddlerClientOptions.CarrierId at run time",
        Categories.Usage,
        DiagnosticSeverity.Warning,
        "Peddler issues carrier tokens for the scopes 'DEFAULT authenticated <carrier id>'. Without a carrier id the token grants nothing a carrier integration can use.");

    /// <summary>PDL003.</summary>
    public static readonly DiagnosticDescriptor DocumentationPlaceholderInScopes = Create(
        DocumentationPlaceholderInScopesId,
        "Documentation placeholder left in Scopes",
        "Scope token '{0}' is the placeholder from Peddler's documentation; write your carrier id, or '{{CarrierId}}' to take it from PeddlerClientOptions.CarrierId at run time",
        Categories.Usage,
        DiagnosticSeverity.Warning,
        "Peddler's documentation writes 'DEFAULT authenticated CARRIER_ID'; CARRIER_ID stands for the carrier id Peddler gave you and is rejected by the server as written.");

    /// <summary>PDL004.</summary>
    public static readonly DiagnosticDescriptor InvalidScopeCharacters = Create(
        InvalidScopeCharactersId,
        "Scope token has invalid characters",
        "Scope token '{0}' contains characters a scope may not have (RFC 6749 §3.3 allows printable ASCII without space, '\"' and '\\'); separate scopes with single spaces and remove the other characters",
        Categories.Usage,
        DiagnosticSeverity.Warning,
        "A scope string is a space-separated list of scope tokens made of printable ASCII characters other than space, double quote and backslash. Tabs, line breaks, quotes and non-ASCII characters make the authorization server reject the request.");

    /// <summary>PDL005.</summary>
    public static readonly DiagnosticDescriptor EmptyScopeToken = Create(
        EmptyScopeTokenId,
        "Scopes not separated by single spaces",
        "Scopes '{0}' are not separated by single spaces; separate scopes with exactly one space (no leading, trailing or repeated spaces, tabs, line breaks, commas or semicolons)",
        Categories.Usage,
        DiagnosticSeverity.Warning,
        "RFC 6749 §3.3 separates scope tokens with exactly one space; empty tokens or other separators make the scope string malformed.");

    /// <summary>PDL006.</summary>
    public static readonly DiagnosticDescriptor DuplicateScopeToken = Create(
        DuplicateScopeTokenId,
        "Duplicate scope token",
        "Scope token '{0}' appears more than once; remove the duplicate",
        Categories.Usage,
        DiagnosticSeverity.Warning,
        "Each scope is requested once; a duplicate usually means a copy-paste mistake, for instance two carrier ids.");

    /// <summary>PDL007.</summary>
    public static readonly DiagnosticDescriptor ScopeCaseMismatch = Create(
        ScopeCaseMismatchId,
        "Scope token in the wrong case",
        "Scope token '{0}' must be written '{1}'; scopes are case-sensitive",
        Categories.Usage,
        DiagnosticSeverity.Warning,
        "Scopes are compared case-sensitively: Peddler knows 'DEFAULT' and 'authenticated', and the run-time carrier placeholder is '{CarrierId}'.");

    /// <summary>PDL008.</summary>
    public static readonly DiagnosticDescriptor MissingRequiredScope = Create(
        MissingRequiredScopeId,
        "Required Peddler scope missing",
        "Scopes '{0}' lack {1}; Peddler requires 'DEFAULT authenticated <carrier id>'",
        Categories.Usage,
        DiagnosticSeverity.Warning,
        "Every Peddler token request carries the scopes DEFAULT and authenticated, followed by the carrier id.");

    /// <summary>PDL009.</summary>
    public static readonly DiagnosticDescriptor UnknownEnvironment = Create(
        UnknownEnvironmentId,
        "Unknown Peddler environment",
        "Environment '{0}' is not a Peddler environment{1}; use one of " + Internal.PeddlerKnownEnvironments.ValidNames + " (case-sensitive)",
        Categories.Usage,
        DiagnosticSeverity.Error,
        "The environment selects the token endpoint. No client is generated for an unknown environment.");

    /// <summary>PDL010.</summary>
    public static readonly DiagnosticDescriptor MissingEnvironment = Create(
        MissingEnvironmentId,
        "Peddler environment missing",
        "[PeddlerClient] on '{0}' has no Environment; set Environment = \"Dev\" or Environment = \"Production\"",
        Categories.Usage,
        DiagnosticSeverity.Error,
        "The environment selects the token endpoint. No client is generated without it.");

    /// <summary>PDL011.</summary>
    public static readonly DiagnosticDescriptor MissingScopes = Create(
        MissingScopesId,
        "Peddler scopes missing",
        "[PeddlerClient] on '{0}' has no Scopes; set Scopes = \"DEFAULT authenticated <your carrier id>\", or \"DEFAULT authenticated {{CarrierId}}\" to take the carrier id from PeddlerClientOptions.CarrierId",
        Categories.Usage,
        DiagnosticSeverity.Error,
        "The scopes are sent with every token request. No client is generated without them.");

    /// <summary>PDL012.</summary>
    public static readonly DiagnosticDescriptor ClientNotPartial = Create(
        ClientNotPartialId,
        "Peddler client class must be partial",
        "Class '{0}' has [PeddlerClient] but is not partial; add the 'partial' modifier so the generator can complete it",
        Categories.Usage,
        DiagnosticSeverity.Error,
        "The generator adds constructors and members to the annotated class in another part of the same partial class.");

    /// <summary>PDL013.</summary>
    public static readonly DiagnosticDescriptor ClientIsStatic = Create(
        ClientIsStaticId,
        "Peddler client class must not be static",
        "Class '{0}' has [PeddlerClient] but is static; remove 'static': a token client is an instance with its own token cache",
        Categories.Usage,
        DiagnosticSeverity.Error,
        "The generated client has constructors and per-instance state (the cached token).");

    /// <summary>PDL014.</summary>
    public static readonly DiagnosticDescriptor ClientIsGeneric = Create(
        ClientIsGenericId,
        "Peddler client class must not be generic",
        "Class '{0}' has [PeddlerClient] but is generic; remove its type parameters or annotate a non-generic class",
        Categories.Usage,
        DiagnosticSeverity.Error,
        "The generator completes one concrete class per attribute; generic token clients are not supported.");

    /// <summary>PDL015.</summary>
    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Create(
        ContainingTypeNotPartialId,
        "Type containing a Peddler client must be partial",
        "Class '{0}' has [PeddlerClient] but {1} not partial; add the 'partial' modifier so the generator can complete the nested class",
        Categories.Usage,
        DiagnosticSeverity.Error,
        "A nested class can only be completed by a generator when every containing type is partial too.");

    /// <summary>PDL016.</summary>
    public static readonly DiagnosticDescriptor InsecureTokenEndpoint = Create(
        InsecureTokenEndpointId,
        "Token endpoint uses http",
        "Token endpoint '{0}' uses http on a host that is not loopback; the client secret would travel in clear text: use https",
        Categories.Security,
        DiagnosticSeverity.Warning,
        "The token request carries the client secret. The client refuses plain http except on loopback hosts (local test servers), so this setting fails at run time as well.");

    /// <summary>PDL017.</summary>
    public static readonly DiagnosticDescriptor ConfigurationFileSecret = Create(
        ConfigurationFileSecretId,
        "Client secret in a configuration file",
        "Configuration key '{0}' holds a client secret; keep it out of committed files: use user-secrets in development, an environment variable or a secret store in production",
        Categories.Security,
        DiagnosticSeverity.Warning,
        "appsettings*.json and launchSettings.json are committed with the project and copied to build outputs. A client secret there is as exposed as one in source. Rotate any secret that was committed.");

    /// <summary>Builds the documentation address of a rule.</summary>
    /// <param name="id">The rule id, e.g. <c>PDL001</c>.</param>
    public static string HelpLink(string id) =>
        "https://github.com/peddler-generators/Peddler.Generators/blob/main/docs/diagnostics/" + id + ".md";

    private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity, string description) =>
        new(id, title, message, category, severity, isEnabledByDefault: true, description: description, helpLinkUri: HelpLink(id));
}
