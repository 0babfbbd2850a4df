using System.Text;
using System.Text.RegularExpressions;

namespace Hotline.Core.Catalog;

/// <summary>
/// A wording with <c>{name}</c> placeholders. Text in <c>[...]</c> is an optional segment: it is left
/// out, brackets and all, when a placeholder inside it has no value. Segments do not nest.
/// </summary>
internal sealed partial class Template
{
    /// <summary>A run of literal text (<see cref="Placeholder"/> null) or one placeholder.</summary>
    private readonly record struct Piece(string? Literal, string? Placeholder);

    private readonly record struct Segment(bool Optional, IReadOnlyList<Piece> Pieces);

    private readonly IReadOnlyList<Segment> _segments;

    private Template(string text, IReadOnlyList<Segment> segments)
    {
        Text = text;
        _segments = segments;
    }

    public string Text { get; }

    /// <summary>Every placeholder name, in order of first use.</summary>
    public IEnumerable<string> Names => Placeholders(_ => true);

    /// <summary>Placeholder names used outside an optional segment: they must always have a value.</summary>
    public IEnumerable<string> AlwaysUsed => Placeholders(s => !s.Optional);

    /// <summary>Renders with the values <paramref name="value"/> gives; null leaves out the optional segment.</summary>
    public string Render(Func<string, string?> value)
    {
        var text = new StringBuilder();
        foreach (var segment in _segments)
        {
            var values = segment.Pieces.Select(p => p.Placeholder is null ? p.Literal : value(p.Placeholder)).ToArray();
            if (values.Any(v => v is null))
            {
                if (!segment.Optional)
                {
                    throw new InvalidOperationException("a placeholder outside an optional segment has no value");
                }
                continue;
            }
            text.AppendJoin("", values);
        }
        return text.ToString();
    }

    /// <summary>Reads a wording; a malformed one throws <see cref="FormatException"/> saying where.</summary>
    public static Template Parse(string text)
    {
        var segments = new List<Segment>();
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            var optional = rest[0] == '[';
            var end = optional ? rest.IndexOf(']') : rest.IndexOf('[');
            if (optional && end < 0)
            {
                throw new FormatException($"'[' without ']' in \"{rest}\"");
            }
            var body = optional ? rest[1..end] : end < 0 ? rest : rest[..end];
            if (body.IndexOfAny('[', ']') >= 0)
            {
                throw new FormatException($"unbalanced or nested [ ] in \"{rest}\"");
            }
            segments.Add(new Segment(optional, Pieces(body.ToString())));
            rest = rest[(optional ? end + 1 : body.Length)..];
        }
        return new Template(text, segments);
    }

    private static List<Piece> Pieces(string body)
    {
        var pieces = new List<Piece>();
        var last = 0;
        foreach (Match m in Placeholder().Matches(body))
        {
            pieces.Add(new Piece(body[last..m.Index], null));
            pieces.Add(new Piece(null, m.Groups["name"].Value));
            last = m.Index + m.Length;
        }
        pieces.Add(new Piece(body[last..], null));
        var literal = string.Concat(pieces.Select(p => p.Literal));
        if (literal.IndexOfAny(['{', '}']) >= 0)
        {
            throw new FormatException($"a brace that is not a placeholder {{name}} (lower case, digits, '_') in \"{body}\"");
        }
        return pieces;
    }

    private IEnumerable<string> Placeholders(Func<Segment, bool> where) =>
        _segments.Where(where).SelectMany(s => s.Pieces).Select(p => p.Placeholder).OfType<string>().Distinct();

    [GeneratedRegex(@"\{(?<name>[a-z][a-z0-9_]*)\}")]
    private static partial Regex Placeholder();
}
