using System;
using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Peddler.Protocol;

/// <summary>
/// The reflection-free System.Text.Json metadata of Peddler's wire types
/// (<see cref="Protocol.PeddlerTokenResponse"/> and <see cref="Protocol.PeddlerErrorResponse"/>),
/// written against the public <see cref="JsonMetadataServices"/> API. The generator derives one
/// context from it per compilation and every <c>[PeddlerClient]</c> class of that compilation
/// shares it, so the metadata is never compiled once per client.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class PeddlerJsonContextBase : JsonSerializerContext, IJsonTypeInfoResolver
{
    private JsonTypeInfo<PeddlerTokenResponse>? _tokenResponse;
    private JsonTypeInfo<PeddlerErrorResponse>? _errorResponse;

    /// <summary>Creates a context bound to <paramref name="options"/> (default options when <see langword="null"/>).</summary>
    /// <param name="options">The options the metadata is created for.</param>
    protected PeddlerJsonContextBase(JsonSerializerOptions? options)
        : base(options)
    {
    }

    /// <summary>Metadata of the token response body.</summary>
    public JsonTypeInfo<PeddlerTokenResponse> PeddlerTokenResponse =>
        _tokenResponse ??= (JsonTypeInfo<PeddlerTokenResponse>)Options.GetTypeInfo(typeof(PeddlerTokenResponse));

    /// <summary>Metadata of the OAuth error response body.</summary>
    public JsonTypeInfo<PeddlerErrorResponse> PeddlerErrorResponse =>
        _errorResponse ??= (JsonTypeInfo<PeddlerErrorResponse>)Options.GetTypeInfo(typeof(PeddlerErrorResponse));

    /// <inheritdoc/>
    public override JsonTypeInfo? GetTypeInfo(Type type)
    {
        Options.TryGetTypeInfo(type, out JsonTypeInfo? typeInfo);
        return typeInfo;
    }

    /// <inheritdoc/>
    JsonTypeInfo? IJsonTypeInfoResolver.GetTypeInfo(Type type, JsonSerializerOptions options)
    {
        if (type == typeof(PeddlerTokenResponse))
        {
            return CreateTokenResponse(options);
        }

        if (type == typeof(PeddlerErrorResponse))
        {
            return CreateErrorResponse(options);
        }

        if (type == typeof(string))
        {
            return Value<string?>(options, JsonMetadataServices.StringConverter);
        }

        if (type == typeof(long))
        {
            return Value<long>(options, JsonMetadataServices.Int64Converter);
        }

        if (type == typeof(long?))
        {
            return Value<long?>(options, JsonMetadataServices.GetNullableConverter<long>(options));
        }

        return null;
    }

    private JsonTypeInfo<T> Value<T>(JsonSerializerOptions options, JsonConverter<T> converter)
    {
        JsonTypeInfo<T> info = JsonMetadataServices.CreateValueInfo<T>(options, converter);
        info.OriginatingResolver = this;
        return info;
    }

    private JsonTypeInfo<PeddlerTokenResponse> CreateTokenResponse(JsonSerializerOptions options)
    {
        var values = new JsonObjectInfoValues<PeddlerTokenResponse>
        {
            ObjectCreator = static () => new PeddlerTokenResponse(),
            PropertyMetadataInitializer = _ =>
            [
                Property<PeddlerTokenResponse, string>(options, "AccessToken", "access_token", static o => o.AccessToken, static (o, v) => o.AccessToken = v, null),
                Property<PeddlerTokenResponse, string>(options, "TokenType", "token_type", static o => o.TokenType, static (o, v) => o.TokenType = v, null),
                Property<PeddlerTokenResponse, long?>(options, "ExpiresIn", "expires_in", static o => o.ExpiresIn, static (o, v) => o.ExpiresIn = v, JsonNumberHandling.AllowReadingFromString),
                Property<PeddlerTokenResponse, string>(options, "Scope", "scope", static o => o.Scope, static (o, v) => o.Scope = v, null),
            ],
        };
        JsonTypeInfo<PeddlerTokenResponse> info = JsonMetadataServices.CreateObjectInfo(options, values);
        info.OriginatingResolver = this;
        return info;
    }

    private JsonTypeInfo<PeddlerErrorResponse> CreateErrorResponse(JsonSerializerOptions options)
    {
        var values = new JsonObjectInfoValues<PeddlerErrorResponse>
        {
            ObjectCreator = static () => new PeddlerErrorResponse(),
            PropertyMetadataInitializer = _ =>
            [
                Property<PeddlerErrorResponse, string>(options, "Error", "error", static o => o.Error, static (o, v) => o.Error = v, null),
                Property<PeddlerErrorResponse, string>(options, "ErrorDescription", "error_description", static o => o.ErrorDescription, static (o, v) => o.ErrorDescription = v, null),
                Property<PeddlerErrorResponse, string>(options, "ErrorUri", "error_uri", static o => o.ErrorUri, static (o, v) => o.ErrorUri = v, null),
            ],
        };
        JsonTypeInfo<PeddlerErrorResponse> info = JsonMetadataServices.CreateObjectInfo(options, values);
        info.OriginatingResolver = this;
        return info;
    }

    private static JsonPropertyInfo Property<TOwner, TValue>(
        JsonSerializerOptions options,
        string name,
        string jsonName,
        Func<TOwner, TValue?> getter,
        Action<TOwner, TValue?> setter,
        JsonNumberHandling? numberHandling)
    {
        var values = new JsonPropertyInfoValues<TValue>
        {
            IsProperty = true,
            IsPublic = true,
            DeclaringType = typeof(TOwner),
            Getter = o => getter((TOwner)o)!,
            Setter = (o, v) => setter((TOwner)o, v),
            NumberHandling = numberHandling,
            PropertyName = name,
            JsonPropertyName = jsonName,
        };
        return JsonMetadataServices.CreatePropertyInfo(options, values);
    }
}
