using System;
using System.Collections.Generic;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Peddler.Analyzers;

public sealed partial class HardCodedSecretAnalyzer
{
    private sealed partial class Analysis
    {
        private const int MaxDepth = 6;

        /// <summary>A constant string that reaches a sink, and the expression to report.</summary>
        private readonly struct Leaf
        {
            public Leaf(SyntaxNode node, string value)
            {
                Node = node;
                Value = value;
            }

            public SyntaxNode Node { get; }

            public string Value { get; }
        }

        /// <summary>Cheap test before any name analysis: can this value hold a constant string at all?</summary>
        private static bool MayCarryConstant(IOperation? value)
        {
            if (value is null)
            {
                return false;
            }

            IOperation v = Unwrap(value);
            if (v.ConstantValue.HasValue)
            {
                return v.ConstantValue.Value is string && v is not INameOfOperation;
            }

            return v.Kind is OperationKind.Coalesce or OperationKind.Conditional or OperationKind.SwitchExpression
                or OperationKind.LocalReference or OperationKind.FieldReference or OperationKind.PropertyReference
                or OperationKind.SimpleAssignment or OperationKind.Invocation or OperationKind.ObjectCreation;
        }

        /// <summary>Reports every constant, non-placeholder string that <paramref name="value"/> can evaluate to.</summary>
        private void ReportValue(OperationAnalysisContext context, IOperation value, Sink sink, SecretOptions options, bool replaceable = true)
        {
            var leaves = new List<Leaf>();
            CollectLeaves(value, leaves, 0);

            // A weak name ("Secret") is a client secret only in context, and only with a value that
            // looks like one: a word-shaped value there is a name or a label ("App-Default").
            // Members of a type that lists vault secrets (KeyVaultSecrets.DefaultAppSecret = "MSAL-App-Default")
            // hold the names of secrets in the vault: a word-shaped value there is a name, as for a weak name.
            bool vaultNames = sink.Strength != SinkStrength.Known && NamesVaultSecrets(context.ContainingSymbol);
            foreach (Leaf leaf in leaves)
            {
                if (IsReportable(leaf.Value, sink, options, vaultNames))
                {
                    SyntaxNode node = leaf.Node.SyntaxTree == context.Operation.Syntax.SyntaxTree ? leaf.Node : value.Syntax;
                    Report(context, node, sink, replaceable);
                }
            }
        }

        /// <summary>
        /// The value rules for a constant at <paramref name="sink"/>: a plausible secret
        /// (<see cref="SecretValues.IsSecret"/>), not the sink's own name (<c>"secret": "secret"</c>);
        /// under a weak name or in a vault listing not word-shaped (<c>App-Default</c>), and under a
        /// weak name not an encoded JSON token.
        /// </summary>
        private static bool IsReportable(string value, Sink sink, SecretOptions options, bool vaultNames) =>
            SecretValues.IsSecret(value, options)
            && !SecretValues.IsOwnName(value, sink.Name)
            && !((sink.IsWeak || vaultNames) && SecretValues.IsWordShaped(value))
            && !(sink.IsWeak && SecretValues.IsEncodedJson(value));

        /// <summary>Whether <paramref name="containing"/> is, or is declared in, a type that lists vault secrets (<c>KeyVaultSecrets</c>).</summary>
        private static bool NamesVaultSecrets(ISymbol? containing) =>
            TypeNameHasWord(containing as INamedTypeSymbol ?? containing?.ContainingType, "vault", "keyvault", "kv");

        private void CollectLeaves(IOperation? operation, List<Leaf> leaves, int depth)
        {
            if (operation is null || depth > MaxDepth)
            {
                return;
            }

            IOperation op = Unwrap(operation);
            switch (op)
            {
                case INameOfOperation:
                    return;
                case ICoalesceOperation coalesce:
                    CollectLeaves(coalesce.Value, leaves, depth + 1);
                    CollectLeaves(coalesce.WhenNull, leaves, depth + 1);
                    return;
                case IConditionalOperation { WhenFalse: not null } conditional:
                    CollectLeaves(conditional.WhenTrue, leaves, depth + 1);
                    CollectLeaves(conditional.WhenFalse, leaves, depth + 1);
                    return;
                case ISwitchExpressionOperation switchExpression:
                    foreach (ISwitchExpressionArmOperation arm in switchExpression.Arms)
                    {
                        CollectLeaves(arm.Value, leaves, depth + 1);
                    }

                    return;
                case ISimpleAssignmentOperation assignment:
                    CollectLeaves(assignment.Value, leaves, depth + 1);
                    return;
            }

            if (op.ConstantValue.HasValue)
            {
                if (op.ConstantValue.Value is string constant && !IsDeclaredSecretReference(op) && !IsVaultSecretName(op, constant))
                {
                    leaves.Add(new Leaf(ConstantDeclaration(op) ?? op.Syntax, constant));
                }

                return;
            }

            switch (op)
            {
                case ILocalReferenceOperation local:
                    FollowLocal(local, leaves, depth);
                    break;
                case IFieldReferenceOperation { Field: { } field } reference
                    when field.IsReadOnly || field.DeclaredAccessibility == Accessibility.Private:
                    if (!IsSecretNamedInSource(field))
                    {
                        AddMemberInitializer(field, reference, leaves);
                    }

                    break;
                case IPropertyReferenceOperation { Property: { IsIndexer: false } property } reference:
                    if (!IsSecretNamedInSource(property))
                    {
                        AddMemberInitializer(property, reference, leaves);
                    }

                    break;
                case IInvocationOperation { Arguments.Length: 0, TargetMethod: { MethodKind: MethodKind.Ordinary } method } invocation:
                    if (!IsSecretNamedInSource(method))
                    {
                        AddMemberInitializer(method, invocation, leaves);
                    }

                    break;
                case IInvocationOperation or IObjectCreationOperation:
                    // ClientSecret.Parse("…"), new Secret("…"), "…".Sha256(), JsonSerializer.SerializeToElement("…"), Wrap("…").
                    CollectLeaves(Wrappers.WrappedValue(op), leaves, depth + 1);
                    break;
            }
        }

        /// <summary>
        /// The initializer of the <c>const</c> field or local <paramref name="op"/> refers to, when it is
        /// declared in the same file: a constant is reported once, at its declaration, however many
        /// sinks it reaches. <see langword="null"/> for other constants and for declarations elsewhere
        /// (reported at the use, where the diagnostic can be shown).
        /// </summary>
        private static ExpressionSyntax? ConstantDeclaration(IOperation op)
        {
            ISymbol? symbol = op switch
            {
                IFieldReferenceOperation { Field.IsConst: true } field => field.Field,
                ILocalReferenceOperation { Local.IsConst: true } local => local.Local,
                _ => null,
            };
            return symbol is { DeclaringSyntaxReferences.Length: 1 }
                && symbol.DeclaringSyntaxReferences[0].GetSyntax() is VariableDeclaratorSyntax { Initializer.Value: { } value }
                && value.SyntaxTree == op.Syntax.SyntaxTree
                ? value
                : null;
        }

        /// <summary>
        /// A constant of a vault listing (<c>GetAppConfigAsync(KeyVaultSecrets.AppS2S)</c>, where
        /// <c>AppS2S = "App-S2S-Config"</c>) is the name of a secret in the vault, not its value.
        /// </summary>
        private static bool IsVaultSecretName(IOperation op, string constant) =>
            op is IFieldReferenceOperation { Field: { } field } && NamesVaultSecrets(field) && SecretValues.IsWordShaped(constant);

        /// <summary>
        /// A reference to a secret-named constant declared in source is reported at its declaration;
        /// reporting every use as well would only repeat it.
        /// </summary>
        private static bool IsDeclaredSecretReference(IOperation op) => op switch
        {
            IFieldReferenceOperation field => IsSecretNamedInSource(field.Field),
            ILocalReferenceOperation local => SecretNames.Classify(local.Local.Name) == SecretNameKind.Strong,
            _ => false,
        };

        private static bool IsSecretNamedInSource(ISymbol symbol) =>
            symbol.DeclaringSyntaxReferences.Length > 0 && SecretNames.Classify(symbol.Name) == SecretNameKind.Strong;

        /// <summary>A local assigned once: follow its initializer (reported at the initializer's literals).</summary>
        private void FollowLocal(ILocalReferenceOperation reference, List<Leaf> leaves, int depth) =>
            CollectLeaves(ValueFlow.SingleInitializer(reference), leaves, depth + 1);

        /// <summary>
        /// A field written only by its initializer (readonly or private), a get-only
        /// auto-property with an initializer, or a property or parameterless method whose body is a
        /// constant: the constant is reported at its declaration when that is in the same file
        /// (once, however many sinks it reaches), otherwise at the use.
        /// </summary>
        private static void AddMemberInitializer(ISymbol member, IOperation reference, List<Leaf> leaves)
        {
            if (member.DeclaringSyntaxReferences.Length != 1)
            {
                return;
            }

            SyntaxNode declaration = member.DeclaringSyntaxReferences[0].GetSyntax();
            ExpressionSyntax? value = declaration switch
            {
                VariableDeclaratorSyntax { Initializer: { } init } variable when !ValueFlow.IsWrittenInType(variable, variable.Identifier.ValueText) => init.Value,
                PropertyDeclarationSyntax { ExpressionBody: { } body } => body.Expression,
                PropertyDeclarationSyntax { Initializer: { } init, AccessorList: { } accessors } property
                    when IsGetOnlyAuto(accessors) && !ValueFlow.IsWrittenInType(property, property.Identifier.ValueText) => init.Value,
                PropertyDeclarationSyntax { AccessorList: { } accessors } => SingleReturn(accessors),
                MethodDeclarationSyntax { ExpressionBody: { } body } => body.Expression,
                MethodDeclarationSyntax { Body: { Statements.Count: 1 } body } => (body.Statements[0] as ReturnStatementSyntax)?.Expression,
                _ => null,
            };
            if (value is null)
            {
                return;
            }

            string? constant = null;
            bool sameFile = value.SyntaxTree == reference.Syntax.SyntaxTree;
            if (sameFile && reference.SemanticModel is not null)
            {
                IOperation? op = reference.SemanticModel.GetOperation(value);
                if (op is not null && Unwrap(op) is { ConstantValue.HasValue: true } c && c is not INameOfOperation)
                {
                    constant = c.ConstantValue.Value as string;
                }
            }
            else
            {
                constant = ValueFlow.EvaluateSyntax(value);
            }

            if (constant is not null)
            {
                // Reported once, at the declaration, when it is in the same file.
                leaves.Add(new Leaf(sameFile ? value : reference.Syntax, constant));
            }
        }

        /// <summary>A getter that is a single <c>return</c> or arrow.</summary>
        private static ExpressionSyntax? SingleReturn(AccessorListSyntax accessors)
        {
            foreach (AccessorDeclarationSyntax accessor in accessors.Accessors)
            {
                if (accessor.IsKind(SyntaxKind.GetAccessorDeclaration))
                {
                    return accessor.ExpressionBody?.Expression
                        ?? (accessor.Body is { Statements.Count: 1 } body ? (body.Statements[0] as ReturnStatementSyntax)?.Expression : null);
                }
            }

            return null;
        }

        private static bool IsGetOnlyAuto(AccessorListSyntax accessors)
        {
            foreach (AccessorDeclarationSyntax accessor in accessors.Accessors)
            {
                if (!accessor.IsKind(SyntaxKind.GetAccessorDeclaration) || accessor.Body is not null || accessor.ExpressionBody is not null)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// <c>new AuthenticationHeaderValue("Basic", …)</c>: a constant base64 <c>id:secret</c>, or
        /// <c>Convert.ToBase64String(Encoding.X.GetBytes(…))</c> over text whose part after the
        /// first colon is written in source.
        /// </summary>
        private void AnalyzeBasicCredentials(OperationAnalysisContext context, IOperation value, SecretOptions options)
        {
            IOperation v = Unwrap(value);
            if (v.ConstantValue.HasValue)
            {
                if (v.ConstantValue.Value is string encoded && DecodeBase64(encoded) is { } decoded)
                {
                    ReportCredentialText(context, v.Syntax, decoded, options);
                }

                return;
            }

            if (v is IInvocationOperation { TargetMethod.Name: "ToBase64String", Arguments.Length: >= 1 } toBase64
                && Unwrap(toBase64.Arguments[0].Value) is IInvocationOperation { TargetMethod.Name: "GetBytes" } getBytes
                && getBytes.Arguments.Length >= 1)
            {
                IOperation text = Unwrap(getBytes.Arguments[0].Value);
                string? template = Template(text);
                if (template is not null)
                {
                    ReportCredentialText(context, text.Syntax, template, options);
                }
            }
        }

        private void ReportCredentialText(OperationAnalysisContext context, SyntaxNode node, string text, SecretOptions options)
        {
            int colon = text.IndexOf(':');
            if (colon < 0)
            {
                return;
            }

            string secret = text.Substring(colon + 1);
            if (secret.IndexOf(Hole) < 0 && SecretValues.IsSecret(secret, options))
            {
                Report(context, node, new Sink("Basic credentials", SinkKind.BasicCredentials, SinkStrength.Known), replaceable: false);
            }
        }

        private static string? DecodeBase64(string text)
        {
            if (text.Length < 4 || text.Length % 4 != 0)
            {
                return null;
            }

            try
            {
                byte[] bytes = Convert.FromBase64String(text);
                string decoded = Encoding.UTF8.GetString(bytes);
                foreach (char c in decoded)
                {
                    if (c < 0x20 || c == '\uFFFD')
                    {
                        return null;
                    }
                }

                return decoded;
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }
}
