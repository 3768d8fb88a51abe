using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;
using static Peddler.Analyzers.Operations;
using static Peddler.Analyzers.SinkFinder;
using static Peddler.Analyzers.ValueSources;

namespace Peddler.Analyzers;

public sealed partial class HardCodedSecretAnalyzer
{
    /// <summary>
    /// The per-compilation state (the known sinks, the options of each tree, what was reported) and
    /// the callbacks for writes to a named target. The rules they apply are small static types:
    /// <see cref="ValueSources"/> (where a value comes from), <see cref="SinkFinder"/> and
    /// <see cref="Sink"/> (what it is written to), <see cref="ClientAuthContext"/> (whether a weak
    /// name is a client's secret there) and <see cref="ValueRules"/> (whether the value is reported).
    /// The callbacks for arguments, text and unbound code are in the other partial files.
    /// </summary>
    private sealed partial class Analysis
    {
        private static readonly ImmutableDictionary<string, string?> Replaceable =
            ImmutableDictionary<string, string?>.Empty.Add(ReplaceableProperty, "true");

        private readonly KnownSecretSinks _sinks;
        private readonly bool _isTestProject;
        private readonly AnalyzerOptions _options;

        // One diagnostic per location: a literal can reach a sink through several paths
        // (a secret-named local that is also passed to a secret parameter).
        private readonly ConcurrentDictionary<(SyntaxTree, TextSpan), byte> _reported = new();

        private readonly ConcurrentDictionary<SyntaxTree, SecretOptions> _treeOptions = new();

        public Analysis(Compilation compilation, AnalyzerOptions options)
        {
            _options = options;
            _sinks = new KnownSecretSinks(compilation);
            _isTestProject = SecretOptions.IsTestProject(options, compilation);
        }

        public void AnalyzeAssignment(OperationAnalysisContext context)
        {
            var assignment = (IAssignmentOperation)context.Operation;
            if (!MayCarryConstant(assignment.Value) || !TryGetOptions(context, out SecretOptions options))
            {
                return;
            }

            Sink? sink = null;
            switch (assignment.Target)
            {
                case IPropertyReferenceOperation property when property.Property.IsIndexer:
                    sink = KeySink(property.Arguments.Length == 1 ? property.Arguments[0].Value : null, options, context.Operation, context.ContainingSymbol);
                    break;
                case IPropertyReferenceOperation property when _sinks.IsServerSecretProperty(property.Property):
                    sink = Wrappers.IsHash(assignment.Value) ? _sinks.SecretProperty(property.Property) : null;
                    break;
                case IPropertyReferenceOperation property:
                    sink = _sinks.SecretProperty(property.Property)
                        ?? NameSink(property.Property.Name, SinkKind.Property, options, context.Operation, property.Property, context.ContainingSymbol);
                    break;
                case IFieldReferenceOperation field:
                    sink = NameSink(field.Field.Name, SinkKind.Field, options, context.Operation, field.Field, context.ContainingSymbol);
                    break;
                case ILocalReferenceOperation local:
                    sink = NameSink(local.Local.Name, SinkKind.Local, options, context.Operation, null, context.ContainingSymbol);
                    break;
                case IParameterReferenceOperation parameter:
                    sink = NameSink(parameter.Parameter.Name, SinkKind.Parameter, options, context.Operation, parameter.Parameter, context.ContainingSymbol);
                    break;
                case IDynamicMemberReferenceOperation member:
                    sink = NameSink(member.MemberName, SinkKind.Property, options, context.Operation, null, context.ContainingSymbol);
                    break;
                case IDynamicIndexerAccessOperation indexer:
                    sink = KeySink(indexer.Arguments.Length == 1 ? indexer.Arguments[0] : null, options, context.Operation, context.ContainingSymbol);
                    break;
                case IInvalidOperation invalid when UnboundMemberName(invalid.Syntax) is { } name:
                    // A member of a type that does not bind (a package the compilation does not reference).
                    sink = NameSink(name, SinkKind.Property, options, context.Operation, null, context.ContainingSymbol);
                    break;
            }

            if (sink is not null)
            {
                ReportValue(context, assignment.Value, sink, options);
            }
        }

        public void AnalyzeDeclarator(OperationAnalysisContext context)
        {
            var declarator = (IVariableDeclaratorOperation)context.Operation;
            IOperation? value = declarator.Initializer?.Value;
            if (value is null || !MayCarryConstant(value) || !TryGetOptions(context, out SecretOptions options))
            {
                return;
            }

            Sink? sink = NameSink(declarator.Symbol.Name, SinkKind.Local, options, context.Operation, null, context.ContainingSymbol);
            if (sink is not null)
            {
                ReportValue(context, value, sink, options);
            }
        }

        public void AnalyzeMemberInitializer(OperationAnalysisContext context)
        {
            var initializer = (ISymbolInitializerOperation)context.Operation;
            if (!MayCarryConstant(initializer.Value) || !TryGetOptions(context, out SecretOptions options))
            {
                return;
            }

            Sink? sink = null;
            switch (initializer)
            {
                case IFieldInitializerOperation field:
                    foreach (IFieldSymbol symbol in field.InitializedFields)
                    {
                        sink ??= NameSink(symbol.Name, SinkKind.Field, options, context.Operation, symbol, symbol);
                    }

                    break;
                case IPropertyInitializerOperation property:
                    foreach (IPropertySymbol symbol in property.InitializedProperties)
                    {
                        sink ??= _sinks.SecretProperty(symbol) ?? NameSink(symbol.Name, SinkKind.Property, options, context.Operation, symbol, symbol);
                    }

                    break;
                case IParameterInitializerOperation parameter:
                    sink = NameSink(parameter.Parameter.Name, SinkKind.Parameter, options, context.Operation, parameter.Parameter, context.ContainingSymbol);
                    break;
            }

            if (sink is not null)
            {
                ReportValue(context, initializer.Value, sink, options);
            }
        }

        public void AnalyzeReturn(OperationAnalysisContext context)
        {
            var ret = (IReturnOperation)context.Operation;
            if (ret.ReturnedValue is null || !MayCarryConstant(ret.ReturnedValue))
            {
                return;
            }

            string? name = null;
            ISymbol? owner = null;
            for (IOperation? parent = ret.Parent; parent is not null; parent = parent.Parent)
            {
                if (parent is IAnonymousFunctionOperation)
                {
                    return;
                }

                if (parent is ILocalFunctionOperation localFunction)
                {
                    owner = localFunction.Symbol;
                    name = localFunction.Symbol.Name;
                    break;
                }
            }

            if (name is null && context.ContainingSymbol is IMethodSymbol method)
            {
                owner = method.MethodKind == MethodKind.PropertyGet ? method.AssociatedSymbol : method;
                if (method.MethodKind is MethodKind.PropertyGet or MethodKind.Ordinary)
                {
                    name = owner?.Name;
                }
            }

            if (name is null || !TryGetOptions(context, out SecretOptions options))
            {
                return;
            }

            Sink? sink = NameSink(name, SinkKind.ReturningMember, options, context.Operation, owner, context.ContainingSymbol);
            if (sink is not null)
            {
                ReportValue(context, ret.ReturnedValue, sink, options);
            }
        }

        public void AnalyzeTuple(OperationAnalysisContext context)
        {
            var tuple = (ITupleOperation)context.Operation;
            ImmutableArray<IOperation> elements = tuple.Elements;
            if (!TryGetOptions(context, out SecretOptions options))
            {
                return;
            }

            // ("client_secret", "…"): a constant key followed by the value.
            for (int i = 0; i + 1 < elements.Length; i++)
            {
                string? key = ConstantString(elements[i]);
                if (!options.MayNameSink(key) || !MayCarryConstant(elements[i + 1]))
                {
                    continue;
                }

                Sink? sink = KeySink(elements[i], options, context.Operation, context.ContainingSymbol);
                if (sink is not null)
                {
                    ReportValue(context, elements[i + 1], sink, options);
                }
            }

            // (ClientId: "…", ClientSecret: "…") and (string ClientId, string ClientSecret) t = (…, "…").
            ITypeSymbol? type = tuple.Parent is IConversionOperation conversion ? conversion.Type : tuple.Type;
            if (type is INamedTypeSymbol { IsTupleType: true } named && named.TupleElements.Length == elements.Length)
            {
                for (int i = 0; i < elements.Length; i++)
                {
                    string name = named.TupleElements[i].Name;
                    if (!options.MayNameSink(name) || !MayCarryConstant(elements[i]))
                    {
                        continue;
                    }

                    Sink? sink = NameSink(name, SinkKind.TupleElement, options, context.Operation, named.TupleElements[i], context.ContainingSymbol);
                    if (sink is not null)
                    {
                        ReportValue(context, elements[i], sink, options);
                    }
                }
            }
        }

        public void AnalyzeDeconstruction(OperationAnalysisContext context)
        {
            var deconstruction = (IDeconstructionAssignmentOperation)context.Operation;
            IOperation target = deconstruction.Target is IDeclarationExpressionOperation declaration ? declaration.Expression : deconstruction.Target;
            if (target is not ITupleOperation targets || Unwrap(deconstruction.Value) is not ITupleOperation values
                || targets.Elements.Length != values.Elements.Length || !TryGetOptions(context, out SecretOptions options))
            {
                return;
            }

            for (int i = 0; i < targets.Elements.Length; i++)
            {
                IOperation element = targets.Elements[i] is IDeclarationExpressionOperation d ? d.Expression : targets.Elements[i];
                (string? name, SinkKind kind) = element switch
                {
                    ILocalReferenceOperation local => (local.Local.Name, SinkKind.Local),
                    IFieldReferenceOperation field => (field.Field.Name, SinkKind.Field),
                    IPropertyReferenceOperation property => (property.Property.Name, SinkKind.Property),
                    IParameterReferenceOperation parameter => (parameter.Parameter.Name, SinkKind.Parameter),
                    _ => ((string?)null, SinkKind.Local),
                };
                if (name is null || !options.MayNameSink(name) || !MayCarryConstant(values.Elements[i]))
                {
                    continue;
                }

                Sink? sink = NameSink(name, kind, options, context.Operation, null, context.ContainingSymbol);
                if (sink is not null)
                {
                    ReportValue(context, values.Elements[i], sink, options);
                }
            }
        }

        public void AnalyzeCoalesce(OperationAnalysisContext context)
        {
            var coalesce = (ICoalesceOperation)context.Operation;
            if (!MayCarryConstant(coalesce.WhenNull))
            {
                return;
            }

            string? key = LookupKey(coalesce.Value);
            if (key is null || !SecretNames.IsKeyLike(key) || !TryGetOptions(context, out SecretOptions options) || !options.MayNameSink(key))
            {
                return;
            }

            if (NameSink(key, SinkKind.ConfigurationFallback, options, context.Operation, null, context.ContainingSymbol) is { } sink)
            {
                ReportValue(context, coalesce.WhenNull, sink, options);
            }
        }

        private bool TryGetOptions(OperationAnalysisContext context, out SecretOptions options)
        {
            SyntaxTree tree = context.Operation.Syntax.SyntaxTree;
            if (!_treeOptions.TryGetValue(tree, out options!))
            {
                options = SecretOptions.For(_options, tree);
                _treeOptions.TryAdd(tree, options);
            }

            return !_isTestProject || options.AnalyzeTestProjects;
        }

        /// <summary>Reports every constant, non-placeholder string that <paramref name="value"/> can evaluate to.</summary>
        private void ReportValue(OperationAnalysisContext context, IOperation value, Sink sink, SecretOptions options, bool replaceable = true)
        {
            List<Leaf> leaves = Leaves(value);

            bool vaultNames = ValueRules.JudgesVaultNames(sink, context.ContainingSymbol);
            foreach (Leaf leaf in leaves)
            {
                if (ValueRules.IsReportable(leaf.Value, sink, options, vaultNames))
                {
                    SyntaxNode node = leaf.Node.SyntaxTree == context.Operation.Syntax.SyntaxTree ? leaf.Node : value.Syntax;
                    Report(context, node, sink, replaceable);
                }
            }
        }

        private void Report(OperationAnalysisContext context, SyntaxNode node, Sink sink, bool replaceable)
        {
            if (!_reported.TryAdd((node.SyntaxTree, node.Span), 0))
            {
                return;
            }

            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.HardCodedClientSecret,
                node.GetLocation(),
                replaceable ? Replaceable : ImmutableDictionary<string, string?>.Empty,
                sink.Display));
        }
    }
}
