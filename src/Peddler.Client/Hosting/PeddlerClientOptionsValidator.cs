using System.Collections.Generic;
using Microsoft.Extensions.Options;

namespace Peddler.Hosting;

/// <summary>
/// Validates one client's named <see cref="PeddlerClientOptions"/> at host start (<c>ValidateOnStart</c>)
/// with the same rules as the client's constructor, reporting every problem at once. Messages name
/// the configuration key (<c>Peddler:ClientSecret</c>) when the options were bound from configuration,
/// and never contain the client secret.
/// </summary>
internal sealed class PeddlerClientOptionsValidator(PeddlerClientRegistry.Entry client, PeddlerClientDescriptor descriptor)
    : IValidateOptions<PeddlerClientOptions>
{
    public ValidateOptionsResult Validate(string? name, PeddlerClientOptions options)
    {
        if (name != client.Name)
        {
            return ValidateOptionsResult.Skip;
        }

        string? path = client.ConfigurationPath;
        List<PeddlerRequestSettings.OptionProblem> problems = PeddlerRequestSettings.Validate(
            options,
            descriptor,
            path is null ? PeddlerRequestSettings.OptionKey : setting => path.Length == 0 ? setting : $"{path}:{setting}",
            stopAtFirst: false);
        if (problems.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        var messages = new List<string>(problems.Count);
        foreach (PeddlerRequestSettings.OptionProblem problem in problems)
        {
            string message = $"{descriptor.ClientName}: {problem.Message}";
            if (!string.IsNullOrEmpty(options.ClientSecret))
            {
                message = message.Replace(options.ClientSecret, "***", System.StringComparison.Ordinal);
            }

            messages.Add(message);
        }

        return ValidateOptionsResult.Fail(messages);
    }
}
