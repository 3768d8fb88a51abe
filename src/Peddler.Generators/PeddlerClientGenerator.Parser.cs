using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Peddler.Generators.Model;
using Peddler.Internal;

namespace Peddler.Generators;

public sealed partial class PeddlerClientGenerator
{
    /// <summary>Turns an annotated class into a <see cref="ClientSpec"/>, or <see langword="null"/> when it cannot be completed.</summary>
    internal static class Parser
    {
        /// <summary>Cheap syntax filter: class and record-class declarations only.</summary>
        public static bool IsCandidate(SyntaxNode node) =>
            node is ClassDeclarationSyntax
            || (node is RecordDeclarationSyntax record && !record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword));

        /// <summary>
        /// Reads the attribute and the class's shape. Returns <see langword="null"/> for every
        /// misuse the analyzers report (not partial, static, abstract, generic, file-local, nested in a
        /// non-partial type, unknown environment, empty scopes), so that no uncompilable source is emitted.
        /// </summary>
        public static ClientSpec? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type
                || context.TargetNode is not TypeDeclarationSyntax declaration
                || context.Attributes.IsEmpty)
            {
                return null;
            }

            if (type.IsStatic || type.IsAbstract || type.IsGenericType
                || !declaration.Modifiers.Any(SyntaxKind.PartialKeyword)
                || declaration.Modifiers.Any(SyntaxKind.FileKeyword))
            {
                return null;
            }

            string? environment = null;
            string? scopes = null;
            foreach (KeyValuePair<string, TypedConstant> argument in context.Attributes[0].NamedArguments)
            {
                if (argument.Key == "Environment")
                {
                    environment = argument.Value.Value as string;
                }
                else if (argument.Key == "Scopes")
                {
                    scopes = argument.Value.Value as string;
                }
            }

            string? endpoint = PeddlerKnownEnvironments.TokenEndpointOf(environment);
            List<string> scopeTokens = PeddlerScopes.Split(scopes);
            if (endpoint is null || scopeTokens.Count == 0)
            {
                return null;
            }

            cancellationToken.ThrowIfCancellationRequested();
            HierarchyInfo? hierarchy = ReadHierarchy(type, declaration);
            return hierarchy is null
                ? null
                : new ClientSpec(hierarchy, environment!, endpoint, string.Join(" ", scopeTokens));
        }

        /// <summary>The namespace and the declaration chain, or <see langword="null"/> if a containing type is not partial or is generic.</summary>
        private static HierarchyInfo? ReadHierarchy(INamedTypeSymbol type, TypeDeclarationSyntax declaration)
        {
            var types = new List<TypeDeclarationInfo>();
            for (TypeDeclarationSyntax? current = declaration; current is not null; current = current.Parent as TypeDeclarationSyntax)
            {
                bool isTarget = ReferenceEquals(current, declaration);
                if (!isTarget && (!current.Modifiers.Any(SyntaxKind.PartialKeyword) || current.TypeParameterList is not null))
                {
                    return null;
                }

                types.Insert(0, new TypeDeclarationInfo(Keyword(current), current.Identifier.ValueText));
            }

            string ns = type.ContainingNamespace is { IsGlobalNamespace: false } containing
                ? containing.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty)
                : string.Empty;
            return new HierarchyInfo(ns, new EquatableArray<TypeDeclarationInfo>(types.ToImmutableArray()));
        }

        private static string Keyword(TypeDeclarationSyntax declaration) => declaration switch
        {
            RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
            RecordDeclarationSyntax => "record",
            StructDeclarationSyntax => "struct",
            InterfaceDeclarationSyntax => "interface",
            _ => "class",
        };
    }
}
