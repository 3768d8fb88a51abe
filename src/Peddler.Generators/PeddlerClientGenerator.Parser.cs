using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Peddler.Analyzers;
using Peddler.Generators.Model;
using Peddler.Internal;

namespace Peddler.Generators;

public sealed partial class PeddlerClientGenerator
{
    /// <summary>Turns an annotated class into a <see cref="ClientModel"/>.</summary>
    internal static class Parser
    {
        /// <summary>Cheap syntax filter: class and record-class declarations only.</summary>
        public static bool IsCandidate(SyntaxNode node) =>
            node is ClassDeclarationSyntax
            || (node is RecordDeclarationSyntax record && !record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword));

        /// <summary>
        /// Reads the attribute and the class's shape.
        /// <list type="bullet">
        /// <item>Any attribute mistake (unknown, misspelled or missing environment; missing, empty or
        /// malformed scopes; a non-constant argument) still yields a client, so that the analyzer's
        /// PDL error is the only error: uses of the class keep compiling.</item>
        /// <item>A class that is not partial, or nested in a type that is not partial, is completed too
        /// and reported here (PDL012/PDL015): the compiler then stops at its one declaration error
        /// (CS0260) and the build shows no cascade, the PDL error first.</item>
        /// <item>A static or generic class cannot be completed: it is only reported here (PDL013/PDL014),
        /// because generator diagnostics come before every compiler error in a build.</item>
        /// </list>
        /// Abstract, file-local and generic-nested classes are left alone (nothing emitted).
        /// </summary>
        public static ClientModel? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.TargetSymbol is not INamedTypeSymbol type
                || context.TargetNode is not TypeDeclarationSyntax declaration
                || context.Attributes.IsEmpty)
            {
                return null;
            }

            string name = declaration.Identifier.ValueText;
            Location location = declaration.Identifier.GetLocation();
            bool isStatic = declaration.Modifiers.Any(SyntaxKind.StaticKeyword);
            bool isGeneric = declaration.TypeParameterList is { Parameters.Count: > 0 };
            var diagnostics = new List<DiagnosticInfo>();
            if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClientNotPartialId, location, name));
            }

            if (isStatic)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClientIsStaticId, location, name));
            }

            if (isGeneric)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClientIsGenericId, location, name));
            }

            var notPartial = new List<string>();
            bool nestedInGeneric = false;
            for (SyntaxNode? parent = declaration.Parent; parent is not null; parent = parent.Parent)
            {
                if (parent is TypeDeclarationSyntax outer)
                {
                    nestedInGeneric |= outer.TypeParameterList is not null;
                    if (!outer.Modifiers.Any(SyntaxKind.PartialKeyword))
                    {
                        notPartial.Insert(0, "'" + outer.Identifier.ValueText + "'");
                    }
                }
            }

            if (notPartial.Count > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.ContainingTypeNotPartialId,
                    location,
                    name,
                    notPartial.Count == 1
                        ? "its containing type " + notPartial[0] + " is"
                        : "its containing types " + string.Join(", ", notPartial) + " are"));
            }

            var reported = new EquatableArray<DiagnosticInfo>(diagnostics.ToImmutableArray());
            if (isStatic || isGeneric || nestedInGeneric || type.IsAbstract
                || declaration.Modifiers.Any(SyntaxKind.FileKeyword))
            {
                return new ClientModel(null, reported);
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

            cancellationToken.ThrowIfCancellationRequested();
            string? endpoint = PeddlerKnownEnvironments.TokenEndpointOf(environment);
            var spec = new ClientSpec(
                ReadHierarchy(type, declaration),
                environment ?? string.Empty,
                endpoint,
                string.Join(" ", PeddlerScopes.Split(scopes)));
            return new ClientModel(spec, reported);
        }

        /// <summary>The namespace and the declaration chain, outermost first.</summary>
        private static HierarchyInfo ReadHierarchy(INamedTypeSymbol type, TypeDeclarationSyntax declaration)
        {
            var types = new List<TypeDeclarationInfo>();
            for (TypeDeclarationSyntax? current = declaration; current is not null; current = current.Parent as TypeDeclarationSyntax)
            {
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
