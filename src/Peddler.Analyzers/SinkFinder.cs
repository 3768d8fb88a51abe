using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using static Peddler.Analyzers.Operations;

namespace Peddler.Analyzers;

/// <summary>
/// Finds the <see cref="Sink"/> a name or key makes at a site: a configured or strong name always,
/// a weak name only where <see cref="ClientAuthContext"/> says client authentication. Every kind of
/// name goes through <see cref="NameSink"/>, built-in and configured alike.
/// </summary>
internal static class SinkFinder
{
    /// <summary>Verbs that make a method name a setter of what follows (<c>SetClientSecret</c>, <c>WithClientSecret</c>).</summary>
    private static readonly string[] SetterVerbs = ["Set", "With", "Use", "Add"];

    /// <summary>The member name written at an unbound assignment target (<c>options.ClientSecret</c>, <c>{ ClientSecret = … }</c>, <c>o?.ClientSecret</c>).</summary>
    public static string? UnboundMemberName(SyntaxNode syntax) => syntax switch
    {
        MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
        IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
        _ => null,
    };

    /// <summary>
    /// The sink <paramref name="name"/> names here, as a <paramref name="kind"/>: a configured or
    /// strong name always, a weak name only in client-authentication context.
    /// </summary>
    public static Sink? NameSink(string name, SinkKind kind, SecretOptions options, IOperation site, ISymbol? target, ISymbol? containing)
    {
        Sink? sink = Sink.Named(name, kind, options);
        return sink is { IsWeak: true } && !ClientAuthContext.IsClientAuthentication(site, target, containing) ? null : sink;
    }

    /// <summary>The sink <paramref name="keyOperation"/> names when it is a constant client-secret key.</summary>
    public static Sink? KeySink(IOperation? keyOperation, SecretOptions options, IOperation site, ISymbol? containing)
    {
        string? key = keyOperation is null ? null : ConstantString(keyOperation);
        return key is null || !SecretNames.IsKeyLike(key) ? null : NameSink(key, SinkKind.Key, options, site, null, containing);
    }

    /// <summary>Whether a parameter takes prose (a message or description) rather than a value.</summary>
    public static bool IsTextParameter(string name)
    {
        foreach (string word in SecretNames.SplitWords(name))
        {
            switch (word)
            {
                case "message": case "error": case "description": case "text": case "reason": case "title":
                case "label": case "hint": case "prompt": case "caption": case "format": case "comment":
                case "note": case "summary": case "detail": case "details": case "help": case "tooltip":
                    return true;
            }
        }

        return false;
    }

    /// <summary>For <c>b.Append("…client_secret=").Append(value)</c>: the key the previous <c>Append</c> ended with.</summary>
    public static string? ChainedFormKey(IArgumentOperation argument, SecretOptions options)
    {
        if (argument.Parent is not IInvocationOperation { Instance: { } instance } || !argument.Value.ConstantValue.HasValue)
        {
            return null;
        }

        if (Unwrap(instance) is not IInvocationOperation { TargetMethod.Name: "Append", Arguments.Length: 1 } previous
            || ConstantString(previous.Arguments[0].Value) is not { } text)
        {
            return null;
        }

        string trimmed = text.TrimEnd();
        if (!trimmed.EndsWith("=", StringComparison.Ordinal))
        {
            return null;
        }

        int end = trimmed.Length - 1;
        int start = end;
        while (start > 0 && SecretNames.IsKeyChar(trimmed[start - 1]))
        {
            start--;
        }

        string? key = start < end ? trimmed.Substring(start, end - start) : null;
        return options.MayNameSink(key) ? key : null;
    }

    /// <summary><c>ClientSecret</c> for <c>SetClientSecret</c>, <c>WithClientSecret</c>…: the strong secret name (or configured name) a setter is named for; otherwise <see langword="null"/>.</summary>
    public static string? SetterSink(string method, SecretOptions options)
    {
        foreach (string verb in SetterVerbs)
        {
            if (method.Length > verb.Length && method.StartsWith(verb, StringComparison.Ordinal) && char.IsUpper(method[verb.Length]))
            {
                string rest = method.Substring(verb.Length);
                bool named = rest.EndsWith("Secret", StringComparison.Ordinal) && SecretNames.Classify(rest) == SecretNameKind.Strong;
                return named || options.IsAdditionalSinkName(rest) ? rest : null;
            }
        }

        return null;
    }
}
