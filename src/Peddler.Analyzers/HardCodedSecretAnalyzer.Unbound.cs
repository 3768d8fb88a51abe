using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using static Peddler.Analyzers.Operations;
using static Peddler.Analyzers.SinkFinder;
using static Peddler.Analyzers.ValueSources;

namespace Peddler.Analyzers;

public sealed partial class HardCodedSecretAnalyzer
{
    /// <summary>
    /// Code whose types do not bind: a package that is not referenced (a repository scanned without
    /// restore, an IDE before restore has finished), a misspelled member. Only names are known there,
    /// so only names are used, with the same rules as bound code: a strong name (<c>ClientSecret</c>)
    /// is a sink, a weak one (<c>Secret</c>) only in context, and the value must look like a secret.
    /// </summary>
    private sealed partial class Analysis
    {
        /// <summary>
        /// An invocation or creation that does not bind: its named arguments are judged by their names
        /// (<c>clientSecret: "…"</c>), and the single argument of a setter named for a client secret
        /// (<c>SetClientSecret("…")</c>) by the method's name.
        /// </summary>
        public void AnalyzeUnbound(OperationAnalysisContext context)
        {
            ArgumentListSyntax? arguments;
            string? method = null;
            switch (context.Operation.Syntax)
            {
                case InvocationExpressionSyntax invocation:
                    arguments = invocation.ArgumentList;
                    method = invocation.Expression switch
                    {
                        MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
                        MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
                        SimpleNameSyntax name => name.Identifier.ValueText,
                        _ => null,
                    };
                    break;
                case BaseObjectCreationExpressionSyntax creation:
                    arguments = creation.ArgumentList;
                    break;
                default:
                    return;
            }

            if (arguments is null || arguments.Arguments.Count == 0 || context.Operation.SemanticModel is not { } model)
            {
                return;
            }

            if (!TryGetOptions(context, out SecretOptions options))
            {
                return;
            }

            if (method is "Add" or "TryAdd" && arguments.Arguments.Count == 2 && arguments.Arguments[0].NameColon is null && arguments.Arguments[1].NameColon is null)
            {
                // extensions.Add("client_secret", "…") on a dictionary whose type does not bind: Add(key, value) is a key/value API.
                AnalyzeUnboundPair(context, model, arguments.Arguments[0], arguments.Arguments[1], options);
                return;
            }

            string? setterSink = method is not null && arguments.Arguments.Count == 1 && arguments.Arguments[0].NameColon is null ? SetterSink(method, options) : null;
            foreach (ArgumentSyntax argument in arguments.Arguments)
            {
                string? name = argument.NameColon?.Name.Identifier.ValueText ?? setterSink;
                if (name is null || !options.MayNameSink(name))
                {
                    continue;
                }

                IOperation? value = model.GetOperation(argument.Expression, context.CancellationToken);
                if (value is null || !MayCarryConstant(value))
                {
                    continue;
                }

                Sink? sink = NameSink(name, SinkKind.UnboundArgument, options, context.Operation, null, context.ContainingSymbol);
                if (sink is not null)
                {
                    ReportValue(context, value, sink, options);
                }
            }
        }

        private void AnalyzeUnboundPair(OperationAnalysisContext context, SemanticModel model, ArgumentSyntax key, ArgumentSyntax value, SecretOptions options)
        {
            IOperation? keyOperation = model.GetOperation(key.Expression, context.CancellationToken);
            IOperation? valueOperation = model.GetOperation(value.Expression, context.CancellationToken);
            if (keyOperation is null || valueOperation is null || !MayCarryConstant(valueOperation)
                || !options.MayNameSink(ConstantString(keyOperation)))
            {
                return;
            }

            Sink? sink = KeySink(keyOperation, options, context.Operation, context.ContainingSymbol);
            if (sink is not null)
            {
                ReportValue(context, valueOperation, sink, options);
            }
        }
    }
}
