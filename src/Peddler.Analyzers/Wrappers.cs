using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Peddler.Analyzers;

/// <summary>
/// Conversions and factories whose result carries their argument's value, followed by PDL001 from
/// a sink back to the literal:
/// <list type="bullet">
/// <item><c>X.Parse("…")</c>, <c>X.Create("…")</c>, <c>X.From…("…")</c>, and any static method of <c>X</c> returning <c>X</c> from one string;</item>
/// <item><c>new X("…")</c> of a value-carrying type (<see cref="IsValueType"/>) for the first parameter when it is the only required one or is named <c>value</c>/<c>secret</c>;</item>
/// <item><c>"…".Sha256()</c> / <c>Sha512()</c> (IdentityServer's hash extensions);</item>
/// <item><c>JsonSerializer.SerializeToElement/SerializeToNode/SerializeToDocument("…")</c>, <c>JsonValue.Create("…")</c>, <c>Encoding.X.GetBytes("…")</c>;</item>
/// <item>a method declared in this compilation whose body only returns its first parameter, or one of the above over it (one level).</item>
/// </list>
/// </summary>
internal static class Wrappers
{
    /// <summary>The operation whose value <paramref name="operation"/> wraps, or <see langword="null"/>.</summary>
    public static IOperation? WrappedValue(IOperation operation) => operation switch
    {
        IObjectCreationOperation { Constructor: { } constructor } creation when IsValueType(constructor.ContainingType) => FirstIfWrapping(constructor, creation.Arguments),
        IInvocationOperation invocation when IsWrapper(invocation.TargetMethod) => First(invocation.Arguments),
        IInvocationOperation invocation when ReturnsItsArgument(invocation.TargetMethod) => First(invocation.Arguments),
        _ => null,
    };

    /// <summary>Whether <paramref name="value"/> is <c>x.Sha256()</c> / <c>x.Sha512()</c> (a secret hashed in place).</summary>
    public static bool IsHash(IOperation value)
    {
        IOperation v = value;
        while (v is IConversionOperation conversion)
        {
            v = conversion.Operand;
        }

        return v is IInvocationOperation { TargetMethod: { IsExtensionMethod: true, Name: "Sha256" or "Sha512" or "ToSha256" or "ToSha512" } };
    }

    /// <summary>
    /// Whether a created type carries a value (its name has <c>secret</c>, <c>credential</c>,
    /// <c>password</c>, <c>key</c>, <c>token</c>, <c>value</c>, <c>string</c>, <c>text</c> or
    /// <c>sensitive</c>), not a configuration object named by its argument (<c>new TableConfiguration("ClientSecrets")</c>).
    /// </summary>
    private static bool IsValueType(INamedTypeSymbol? type)
    {
        if (type is null)
        {
            return false;
        }

        foreach (string word in SecretNames.SplitWords(type.Name))
        {
            switch (word)
            {
                case "secret": case "secrets": case "credential": case "credentials": case "password": case "key":
                case "token": case "value": case "string": case "text": case "sensitive":
                    return true;
            }
        }

        return false;
    }

    private static IOperation? FirstIfWrapping(IMethodSymbol constructor, System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments)
    {
        if (constructor.Parameters.Length == 0 || constructor.Parameters[0].Type.SpecialType != SpecialType.System_String)
        {
            return null;
        }

        bool onlyRequired = constructor.Parameters.Length == 1 || constructor.Parameters[1].IsOptional;
        string name = constructor.Parameters[0].Name;
        return onlyRequired || name is "value" || name.IndexOf("secret", StringComparison.OrdinalIgnoreCase) >= 0 ? First(arguments) : null;
    }

    private static IOperation? First(System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments)
    {
        foreach (IArgumentOperation argument in arguments)
        {
            if (argument.Parameter?.Ordinal == 0 && argument.ArgumentKind == ArgumentKind.Explicit)
            {
                return argument.Value;
            }
        }

        return null;
    }

    private static bool IsWrapper(IMethodSymbol method)
    {
        if (method.Parameters.Length == 0 || method.Parameters[0].Type.SpecialType != SpecialType.System_String && !method.IsGenericMethod)
        {
            return false;
        }

        string name = method.Name;
        if (method.IsExtensionMethod)
        {
            return name is "Sha256" or "Sha512" or "ToSha256" or "ToSha512";
        }

        if (name == "GetBytes" && method.ContainingType?.Name == "Encoding")
        {
            return true;
        }

        if (!method.IsStatic || method.Parameters.Length > 1 && !method.Parameters[1].IsOptional)
        {
            return false;
        }

        string type = method.ContainingType?.Name ?? string.Empty;
        if (type is "JsonSerializer" && name is "SerializeToElement" or "SerializeToNode" or "SerializeToDocument"
            || type is "JsonValue" && name == "Create")
        {
            return true;
        }

        // Factories of a strongly typed value: ClientSecret.Parse("…"), Secret.From("…").
        return (name is "Parse" or "Create" or "Of" || name.StartsWith("From", StringComparison.Ordinal))
            && SymbolEqualityComparer.Default.Equals(method.ReturnType, method.ContainingType);
    }

    /// <summary>A user helper declared in source whose body returns its first parameter, directly or through one wrapper.</summary>
    private static bool ReturnsItsArgument(IMethodSymbol method)
    {
        if (method.Parameters.Length != 1 || method.Parameters[0].Type.SpecialType != SpecialType.System_String
            || method.DeclaringSyntaxReferences.Length != 1)
        {
            return false;
        }

        ExpressionSyntax? body = method.DeclaringSyntaxReferences[0].GetSyntax() switch
        {
            MethodDeclarationSyntax { ExpressionBody: { } arrow } => arrow.Expression,
            MethodDeclarationSyntax { Body: { Statements.Count: 1 } block } => (block.Statements[0] as ReturnStatementSyntax)?.Expression,
            LocalFunctionStatementSyntax { ExpressionBody: { } arrow } => arrow.Expression,
            _ => null,
        };
        string parameter = method.Parameters[0].Name;
        while (body is ParenthesizedExpressionSyntax or CastExpressionSyntax)
        {
            body = body is ParenthesizedExpressionSyntax p ? p.Expression : ((CastExpressionSyntax)body).Expression;
        }

        return body switch
        {
            IdentifierNameSyntax identifier => identifier.Identifier.ValueText == parameter,
            InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax receiver } } when receiver.Identifier.ValueText == parameter => true,
            InvocationExpressionSyntax invocation => FirstArgumentIs(invocation.ArgumentList, parameter),
            BaseObjectCreationExpressionSyntax creation => FirstArgumentIs(creation.ArgumentList, parameter),
            _ => false,
        };
    }

    private static bool FirstArgumentIs(ArgumentListSyntax? arguments, string name) =>
        arguments is { Arguments.Count: > 0 } && arguments.Arguments[0].Expression is IdentifierNameSyntax identifier && identifier.Identifier.ValueText == name;
}
