using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using static Peddler.Analyzers.Operations;
using static Peddler.Analyzers.TextTemplates;

namespace Peddler.Analyzers;

public sealed partial class HardCodedSecretAnalyzer
{
    private sealed partial class Analysis
    {
        /// <summary>
        /// The text callback. Text that embeds a secret: form bodies and query strings
        /// (<c>…&amp;client_secret=VALUE</c>), JSON (<c>"client_secret": "VALUE"</c>) and XML
        /// (<c>&lt;ClientSecret&gt;VALUE&lt;/ClientSecret&gt;</c>). Only the outermost string
        /// expression is analysed; holes never count as values.
        /// </summary>
        public void AnalyzeText(OperationAnalysisContext context)
        {
            IOperation op = context.Operation;
            if (op is IBinaryOperation binary && (binary.OperatorKind != BinaryOperatorKind.Add || binary.Type?.SpecialType != SpecialType.System_String))
            {
                return;
            }

            string? literal = op.ConstantValue.HasValue ? op.ConstantValue.Value as string : null;
            if (op is ILiteralOperation && literal is null)
            {
                return;
            }

            if (!IsOutermostText(op) || !TryGetOptions(context, out SecretOptions options))
            {
                return;
            }

            // string.Format / AppendFormat / string.Concat: the whole call is the text.
            IInvocationOperation? call = op.Parent is IArgumentOperation ? TextCall(op) : null;
            string? template = call is not null ? CallTemplate(call) : literal ?? (MayMentionSink(Unwrap(op), options, 0) ? Template(op) : null);
            if (template is null || !options.MayMentionSink(template))
            {
                return;
            }

            (Sink Sink, string Value)? found = TextFields.FindEmbeddedSecret(template, options);
            if (found is null)
            {
                return;
            }

            SyntaxNode node = op.Syntax;
            if (call is not null)
            {
                // Point at the argument that supplied the value when there is one.
                node = call.Syntax;
                foreach (IArgumentOperation argument in call.Arguments)
                {
                    if (ConstantString(argument.Value) == found.Value.Value)
                    {
                        node = argument.Value.Syntax;
                    }
                }

                if (node == call.Syntax && op.Syntax.SyntaxTree == call.Syntax.SyntaxTree)
                {
                    node = op.Syntax;
                }
            }

            Report(context, node, found.Value.Sink, replaceable: false);
        }
    }
}
