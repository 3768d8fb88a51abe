namespace Peddler.Analyzers;

/// <summary>What a client-secret sink is: where the value is written.</summary>
internal enum SinkKind
{
    /// <summary>A member of a known client library, matched by symbol (<c>PeddlerClientOptions.ClientSecret</c>, <c>WithClientSecret</c>).</summary>
    KnownApi,

    /// <summary>A property (also of an anonymous object or a <c>dynamic</c> receiver).</summary>
    Property,

    /// <summary>A field.</summary>
    Field,

    /// <summary>A local variable.</summary>
    Local,

    /// <summary>A parameter: an argument, a default, an assignment in the body.</summary>
    Parameter,

    /// <summary>A method or property that returns the value (<c>string ClientSecret =&gt; "…"</c>).</summary>
    ReturningMember,

    /// <summary>A named tuple element.</summary>
    TupleElement,

    /// <summary>An argument named for the sink in code that does not bind (a package that is not referenced).</summary>
    UnboundArgument,

    /// <summary>A constant key: an indexer, a dictionary entry, a key/value pair, a header.</summary>
    Key,

    /// <summary>The fallback of a configuration or environment look-up (<c>config["…"] ?? "…"</c>).</summary>
    ConfigurationFallback,

    /// <summary>An environment variable set in code.</summary>
    EnvironmentVariable,

    /// <summary>A field of a form body or query string written as text (<c>client_secret=…</c>).</summary>
    FormField,

    /// <summary>A field of JSON written as text (<c>"client_secret": "…"</c>).</summary>
    JsonField,

    /// <summary>An XML element written as text (<c>&lt;ClientSecret&gt;…&lt;/ClientSecret&gt;</c>).</summary>
    XmlElement,

    /// <summary>The secret part of HTTP Basic credentials.</summary>
    BasicCredentials,
}

/// <summary>How a sink was recognised, which decides the rules its values are judged by.</summary>
internal enum SinkStrength
{
    /// <summary>By symbol, as a member of a known client library.</summary>
    Known,

    /// <summary>By a strong name (<c>clientSecret</c>, <c>client_secret</c>, <c>AppSecret</c>).</summary>
    Strong,

    /// <summary>By a name configured in <c>peddler.PDL001.additional_sink_names</c>.</summary>
    Configured,

    /// <summary>By a weak name (<c>secret</c>, <c>Secret</c>) in client-authentication context: a word-shaped value there is a name or a label.</summary>
    Weak,
}

/// <summary>
/// A client-secret sink, made where it is found: its name as written, its kind and how it was
/// recognised. The rules read <see cref="Kind"/> and <see cref="Strength"/>, never the display text.
/// </summary>
internal sealed class Sink
{
    public Sink(string name, SinkKind kind, SinkStrength strength, string? writtenTo = null)
    {
        Name = name;
        Kind = kind;
        Strength = strength;
        WrittenTo = writtenTo ?? name;
    }

    /// <summary>The name as written: an identifier, a key, or the display name of a known member.</summary>
    public string Name { get; }

    /// <summary>
    /// The member, parameter or key the value is written to: <see cref="Name"/> for a sink found by
    /// its name, the parameter or property name for a known member (<c>password</c> of
    /// <c>NetworkCredential(password)</c>). A value equal to it is a label, not a secret.
    /// </summary>
    public string WrittenTo { get; }

    public SinkKind Kind { get; }

    public SinkStrength Strength { get; }

    /// <summary>Whether the sink was recognised by a weak name only.</summary>
    public bool IsWeak => Strength == SinkStrength.Weak;

    /// <summary>The text the diagnostic shows.</summary>
    public string Display => Kind switch
    {
        SinkKind.Key => "'" + Name + "'",
        SinkKind.ConfigurationFallback => "fallback of '" + Name + "'",
        SinkKind.EnvironmentVariable => "environment variable '" + Name + "'",
        SinkKind.FormField or SinkKind.JsonField or SinkKind.XmlElement => "text field '" + Name + "'",
        SinkKind.BasicCredentials => "Basic credentials",
        _ => Name,
    };

    /// <summary>A member of a known client library, shown as <paramref name="display"/>, written to the member or parameter <paramref name="writtenTo"/>.</summary>
    public static Sink Known(string display, string writtenTo) => new(display, SinkKind.KnownApi, SinkStrength.Known, writtenTo);

    /// <summary>
    /// A sink recognised by its name: configured names first, then the word rules of
    /// <see cref="SecretNames.Classify"/>. <see langword="null"/> when the name is not a sink name;
    /// whether a weak name is a sink in its context is the caller's question.
    /// </summary>
    public static Sink? Named(string name, SinkKind kind, SecretOptions options)
    {
        if (options.IsAdditionalSinkName(name))
        {
            return new Sink(name, kind, SinkStrength.Configured);
        }

        return SecretNames.Classify(name) switch
        {
            SecretNameKind.Strong => new Sink(name, kind, SinkStrength.Strong),
            SecretNameKind.Weak => new Sink(name, kind, SinkStrength.Weak),
            _ => null,
        };
    }
}
