using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Hotline.Core.Catalog;

/// <summary>Reads the catalog file and checks everything a sender and a receiver rely on.</summary>
internal static partial class CatalogReader
{
    private sealed record FileDto
    {
        public required string Version { get; init; }
        public required string Review { get; init; }
        /// <summary>The version rule, for people editing the file.</summary>
        public string? Versioning { get; set; }
        public required Dictionary<string, LanguageDto> Languages { get; init; }
        public required List<MessageDto> Messages { get; init; }
    }

    private sealed record LanguageDto
    {
        public required string Name { get; init; }
        public required string Review { get; init; }
    }

    private sealed record MessageDto
    {
        public required string Id { get; init; }
        public required string Category { get; init; }
        public List<ParameterDto> Parameters { get; set; } = [];
        public required Dictionary<string, string> Wording { get; init; }
    }

    private sealed record ParameterDto
    {
        public required string Name { get; init; }
        public required string Type { get; init; }
        public bool Required { get; set; } = true;
        public Dictionary<string, string> Description { get; set; } = [];
    }

    /// <summary>
    /// Serializer code generated at build time: by reflection, reading the catalog took about 40 ms
    /// of a node's start. Members with a default are settable: generated code sets every init-only
    /// member, to null or false when the file leaves it out.
    /// </summary>
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
        AllowTrailingCommas = false)]
    [JsonSerializable(typeof(FileDto))]
    private sealed partial class CatalogJson : JsonSerializerContext;

    public static MessageCatalog Read(string json)
    {
        FileDto? file;
        try
        {
            file = JsonSerializer.Deserialize(json, CatalogJson.Default.FileDto);
        }
        catch (JsonException e)
        {
            throw new CatalogException($"catalog is not valid JSON of the expected shape: {e.Message}", e);
        }
        if (file is null)
        {
            throw new CatalogException("catalog is empty");
        }
        if (!VersionForm().IsMatch(file.Version))
        {
            throw new CatalogException($"catalog version '{file.Version}' is not of the form YYYY.N (e.g. 2026.1)");
        }
        RequireEveryLanguage(file.Languages.Keys, "catalog languages");
        if (file.Messages.Count == 0)
        {
            throw new CatalogException("catalog holds no messages");
        }
        var messages = file.Messages.Select(Message).ToList();
        var duplicate = messages.GroupBy(m => m.Id, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new CatalogException($"catalog has the id {duplicate.Key} {duplicate.Count()} times; ids must be unique");
        }
        return new MessageCatalog(file.Version, file.Review, file.Languages.ToDictionary(l => l.Key, l => l.Value.Review), messages);
    }

    private static CatalogMessage Message(MessageDto dto)
    {
        var where = $"catalog message {dto.Id}";
        if (!IdForm().IsMatch(dto.Id))
        {
            throw new CatalogException($"{where}: the id must be upper-case words joined by '-' (e.g. NAV-ALTER-STARBOARD)");
        }
        if (!NameForm().IsMatch(dto.Category))
        {
            throw new CatalogException($"{where}: category '{dto.Category}' must be a lower-case word");
        }
        var parameters = dto.Parameters.Select(p => Parameter(p, where)).ToList();
        if (parameters.GroupBy(p => p.Name).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new CatalogException($"{where}: parameter {twice.Key} is declared twice");
        }
        RequireEveryLanguage(dto.Wording.Keys, $"{where}: wording");
        var wording = dto.Wording.ToDictionary(w => w.Key, w => Wording(w.Key, w.Value, parameters, where));
        return new CatalogMessage(dto.Id, dto.Category, parameters, wording);
    }

    private static CatalogParameter Parameter(ParameterDto dto, string where)
    {
        if (!NameForm().IsMatch(dto.Name))
        {
            throw new CatalogException($"{where}: parameter name '{dto.Name}' must be lower case letters, digits and '_'");
        }
        if (!ParameterTypeNames.TryParse(dto.Type, out var type))
        {
            var known = string.Join(", ", Enum.GetValues<ParameterType>().Select(t => t.ToWire()));
            throw new CatalogException($"{where}: parameter {dto.Name} has the unknown type '{dto.Type}' (known: {known})");
        }
        RequireKnownLanguages(dto.Description.Keys, $"{where}: description of {dto.Name}");
        return new CatalogParameter { Name = dto.Name, Type = type, Required = dto.Required, Description = dto.Description };
    }

    private static Template Wording(string lang, string text, IReadOnlyList<CatalogParameter> parameters, string where)
    {
        Template template;
        try
        {
            template = Template.Parse(text);
        }
        catch (FormatException e)
        {
            throw new CatalogException($"{where}: wording '{lang}': {e.Message}", e);
        }
        var declared = parameters.Select(p => p.Name).ToHashSet();
        if (template.Names.FirstOrDefault(n => !declared.Contains(n)) is { } undeclared)
        {
            throw new CatalogException($"{where}: wording '{lang}' uses {{{undeclared}}}, which is not a declared parameter");
        }
        if (declared.Except(template.Names).FirstOrDefault() is { } unused)
        {
            throw new CatalogException($"{where}: wording '{lang}' does not use parameter {unused}; every language must use every parameter");
        }
        if (parameters.FirstOrDefault(p => !p.Required && template.AlwaysUsed.Contains(p.Name)) is { } optional)
        {
            throw new CatalogException($"{where}: wording '{lang}' uses the optional parameter {optional.Name} outside a [...] segment");
        }
        return template;
    }

    private static void RequireEveryLanguage(IEnumerable<string> languages, string what)
    {
        RequireKnownLanguages(languages, what);
        if (CatalogLanguages.All.Except(languages).FirstOrDefault() is { } missing)
        {
            throw new CatalogException($"{what} lack the language '{missing}'; give {string.Join(", ", CatalogLanguages.All)}");
        }
    }

    private static void RequireKnownLanguages(IEnumerable<string> languages, string what)
    {
        if (languages.Except(CatalogLanguages.All).FirstOrDefault() is { } unknown)
        {
            throw new CatalogException($"{what} name the language '{unknown}'; the catalog has {string.Join(", ", CatalogLanguages.All)}");
        }
    }

    [GeneratedRegex(@"^\d{4}\.\d+$")]
    private static partial Regex VersionForm();

    [GeneratedRegex("^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")]
    private static partial Regex IdForm();

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex NameForm();
}
