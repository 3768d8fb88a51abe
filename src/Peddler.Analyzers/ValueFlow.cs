using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Peddler.Analyzers;

/// <summary>
/// How a value travels to a sink, shared by PDL001 and PDL016: a local written once by its
/// declaration, a member written only by its initializer, constants evaluated from syntax.
/// Syntactic and conservative: anything assigned twice is not followed.
/// </summary>
internal static class ValueFlow
{
    /// <summary>The initializer of a local that is declared once in this tree and never written again; otherwise <see langword="null"/>.</summary>
    public static IOperation? SingleInitializer(ILocalReferenceOperation reference)
    {
        ILocalSymbol local = reference.Local;
        if (local.IsRef || local.DeclaringSyntaxReferences.Length != 1 || reference.SemanticModel is null)
        {
            return null;
        }

        if (local.DeclaringSyntaxReferences[0].GetSyntax() is not VariableDeclaratorSyntax { Initializer: { } initializer } declarator
            || declarator.SyntaxTree != reference.Syntax.SyntaxTree)
        {
            return null;
        }

        SyntaxNode? scope = declarator.Parent?.Parent;
        if (scope is LocalDeclarationStatementSyntax statement)
        {
            scope = statement.Parent is GlobalStatementSyntax global ? global.Parent : statement.Parent;
        }

        if (scope is null || IsReassigned(scope, local.Name))
        {
            return null;
        }

        return reference.SemanticModel.GetOperation(initializer.Value);
    }

    /// <summary>Whether the local named <paramref name="name"/> is written anywhere in <paramref name="scope"/> besides its declaration.</summary>
    private static bool IsReassigned(SyntaxNode scope, string name)
    {
        foreach (SyntaxNode node in scope.DescendantNodes())
        {
            if (node is not IdentifierNameSyntax identifier || identifier.Identifier.ValueText != name)
            {
                continue;
            }

            if (IsWritten(identifier, deconstruction: true))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a member named <paramref name="name"/> is assigned anywhere in its type besides its declaration (syntactic and conservative).</summary>
    public static bool IsWrittenInType(SyntaxNode declaration, string name)
    {
        TypeDeclarationSyntax? type = declaration.FirstAncestorOrSelf<TypeDeclarationSyntax>();
        if (type is null)
        {
            return true;
        }

        foreach (SyntaxNode node in type.DescendantNodes())
        {
            if (node is not SimpleNameSyntax identifier || identifier.Identifier.ValueText != name)
            {
                continue;
            }

            SyntaxNode target = identifier.Parent is MemberAccessExpressionSyntax { Name: var accessed } access && accessed == identifier ? access : identifier;
            if (IsWritten(target, deconstruction: false))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="target"/> is written: assigned, incremented, passed by <c>ref</c>/<c>out</c>, or (optionally) deconstructed into.</summary>
    private static bool IsWritten(SyntaxNode target, bool deconstruction) => target.Parent switch
    {
        AssignmentExpressionSyntax assignment => assignment.Left == target,
        PrefixUnaryExpressionSyntax or PostfixUnaryExpressionSyntax or RefExpressionSyntax => true,
        ArgumentSyntax argument when !argument.RefKindKeyword.IsKind(SyntaxKind.None) => true,
        ArgumentSyntax { Parent: TupleExpressionSyntax tuple } => deconstruction && tuple.Parent is AssignmentExpressionSyntax d && d.Left == tuple,
        _ => false,
    };

    /// <summary>Evaluates string literals, their concatenations and hole-free interpolated strings without a semantic model (declarations in other files).</summary>
    public static string? EvaluateSyntax(ExpressionSyntax expression)
    {
        switch (expression)
        {
            case LiteralExpressionSyntax literal when literal.IsKind(SyntaxKind.StringLiteralExpression):
                return literal.Token.ValueText;
            case ParenthesizedExpressionSyntax parenthesized:
                return EvaluateSyntax(parenthesized.Expression);
            case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.AddExpression):
                string? left = EvaluateSyntax(binary.Left);
                string? right = left is null ? null : EvaluateSyntax(binary.Right);
                return right is null ? null : left + right;
            case InterpolatedStringExpressionSyntax interpolated:
                var text = new StringBuilder();
                foreach (InterpolatedStringContentSyntax content in interpolated.Contents)
                {
                    if (content is not InterpolatedStringTextSyntax part)
                    {
                        return null;
                    }

                    text.Append(part.TextToken.ValueText);
                }

                return text.ToString();
            default:
                return null;
        }
    }
}
