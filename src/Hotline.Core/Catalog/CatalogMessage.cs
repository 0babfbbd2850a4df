namespace Hotline.Core.Catalog;

/// <summary>
/// One standard message: a stable id, typed parameters and a wording per language. Each side
/// renders it in its own language from the same normalised values.
/// </summary>
public sealed class CatalogMessage
{
    private readonly IReadOnlyDictionary<string, Template> _wording;

    internal CatalogMessage(string id, string category, IReadOnlyList<CatalogParameter> parameters, IReadOnlyDictionary<string, Template> wording)
    {
        Id = id;
        Category = category;
        Parameters = parameters;
        _wording = wording;
    }

    /// <summary>Stable across catalog versions, e.g. <c>NAV-ALTER-STARBOARD</c>.</summary>
    public string Id { get; }
    public string Category { get; }
    public IReadOnlyList<CatalogParameter> Parameters { get; }

    /// <summary>The wording with its <c>{name}</c> placeholders and optional <c>[...]</c> segments.</summary>
    public string Wording(string lang) => _wording[CatalogLanguages.Require(lang)].Text;

    /// <summary>Checks values by parameter name; the result holds the normalised values or every error.</summary>
    public TemplateCheck Validate(IReadOnlyDictionary<string, string> values)
    {
        var errors = new List<string>();
        foreach (var unknown in values.Keys.Where(k => !Parameters.Any(p => p.Name == k)).Order(StringComparer.Ordinal))
        {
            var takes = Parameters.Count == 0 ? "takes no parameters" : $"takes {string.Join(", ", Parameters.Select(p => p.Name))}";
            errors.Add($"{unknown}: unknown parameter; {Id} {takes}");
        }
        var normalized = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in Parameters)
        {
            if (!values.TryGetValue(p.Name, out var raw) || string.IsNullOrWhiteSpace(raw))
            {
                if (p.Required)
                {
                    errors.Add($"{p.Name}: missing required parameter; give {p.Type.Hint()}");
                }
                continue;
            }
            var check = ParameterValues.Normalize(p.Type, raw);
            if (check.Error is { } error)
            {
                errors.Add($"{p.Name}: {error}");
            }
            else
            {
                normalized[p.Name] = check.Value!;
            }
        }
        return new TemplateCheck(errors.Count == 0, normalized, errors);
    }

    /// <summary>The wording in a language with the values filled in; invalid values throw <see cref="TemplateException"/>.</summary>
    public string Render(string lang, IReadOnlyDictionary<string, string> values)
    {
        var check = Validate(values);
        if (!check.Ok)
        {
            throw new TemplateException(Id, check.Errors);
        }
        return RenderValid(lang, check.Normalized);
    }

    /// <summary>The same for values <see cref="Validate"/> has already normalised.</summary>
    internal string RenderValid(string lang, IReadOnlyDictionary<string, string> normalized)
    {
        var language = CatalogLanguages.Require(lang);
        return _wording[language].Render(name => normalized.TryGetValue(name, out var v)
            ? ParameterValues.Format(Parameters.First(p => p.Name == name).Type, v, language)
            : null);
    }
}
