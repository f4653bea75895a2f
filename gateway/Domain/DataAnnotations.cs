using System.ComponentModel.DataAnnotations;

namespace Gateway.Domain;

/// <summary>Runs the [Range]/[RegularExpression] attributes of a nested options object, naming failures by configuration path.</summary>
internal static class DataAnnotations
{
    public static IEnumerable<string> Validate(object options, string path)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => $"{path}:{string.Join(',', r.MemberNames)}: {r.ErrorMessage}");
    }
}
