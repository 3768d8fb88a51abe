using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Peddler.Analyzers;

/// <summary>The two questions every PDL001 rule asks of an operation: what is under its conversions, and which constant string it is.</summary>
internal static class Operations
{
    /// <summary><paramref name="operation"/> without the conversions and parentheses around it.</summary>
    public static IOperation Unwrap(IOperation operation)
    {
        IOperation o = operation;
        while (true)
        {
            switch (o)
            {
                case IConversionOperation conversion:
                    o = conversion.Operand;
                    continue;
                case IParenthesizedOperation parenthesized:
                    o = parenthesized.Operand;
                    continue;
                default:
                    return o;
            }
        }
    }

    /// <summary>The constant string <paramref name="operation"/> is, not counting <c>nameof</c>; otherwise <see langword="null"/>.</summary>
    public static string? ConstantString(IOperation operation)
    {
        IOperation o = Unwrap(operation);
        if (o is INameOfOperation)
        {
            return null;
        }

        return o.ConstantValue.HasValue ? o.ConstantValue.Value as string : null;
    }
}
