using Hotline.Core.Catalog;
using Xunit;

namespace Hotline.Core.Tests.Catalog;

/// <summary>Values are checked per type: accepted in their usual forms, normalised, refused with the parameter and the fix.</summary>
public sealed class TemplateValidationTests
{
    private readonly CatalogMessage _message = MessageCatalog.Load(SampleCatalog.Json().ToJsonString()).Find(SampleCatalog.MessageId)!;

    private TemplateCheck Check(string name, string? value)
    {
        var values = SampleCatalog.ValidValues();
        if (value is null)
        {
            values.Remove(name);
        }
        else
        {
            values[name] = value;
        }
        return _message.Validate(values);
    }

    [Fact]
    public void Valid_values_are_normalised()
    {
        var check = _message.Validate(SampleCatalog.ValidValues());

        Assert.True(check.Ok, string.Join("; ", check.Errors));
        Assert.Empty(check.Errors);
        Assert.Equal("DDG-991", check.Normalized["ship"]);
        Assert.Equal("37.5665,126.978", check.Normalized["pos"]);
        Assert.Equal("45", check.Normalized["brg"]);
        Assert.Equal("2026-11-27T15:30:00Z", check.Normalized["at"]);
        Assert.False(check.Normalized.ContainsKey("note"));
    }

    [Theory]
    [InlineData("pos", "37°33′59.4″N 126°58′40.8″E", "37.5665,126.978")]
    [InlineData("pos", "37 33 59.4 N, 126 58 40.8 E", "37.5665,126.978")]
    [InlineData("pos", "37°33.99'n 126°58.68'e", "37.5665,126.978")]
    [InlineData("pos", "33°51′S 151°12′W", "-33.85,-151.2")]
    [InlineData("pos", "-33.85, 151.2", "-33.85,151.2")]
    [InlineData("pos", "90,-180", "90,-180")]
    [InlineData("at", "271530z nov 26", "2026-11-27T15:30:00Z")]
    [InlineData("at", "2026-11-28T00:30+09:00", "2026-11-27T15:30:00Z")]
    [InlineData("at", "2026-11-27T15:30:45Z", "2026-11-27T15:30:45Z")]
    [InlineData("brg", "359.9", "359.9")]
    [InlineData("brg", "0", "0")]
    [InlineData("crs", "045.0", "45")]
    [InlineData("spd", "2000", "2000")]
    [InlineData("alt", "-1500", "-1500")]
    [InlineData("n", "0", "0")]
    [InlineData("note", "  Fishing vessels nearby  ", "Fishing vessels nearby")]
    [InlineData("note", "", null)]
    public void Usual_forms_are_accepted_and_normalised(string name, string value, string? normalized)
    {
        var check = Check(name, value);

        Assert.True(check.Ok, string.Join("; ", check.Errors));
        Assert.Equal(normalized, check.Normalized.GetValueOrDefault(name));
        if (normalized is not null)
        {
            Assert.Equal(normalized, Check(name, normalized).Normalized[name]);
        }
    }

    [Theory]
    [InlineData("pos", "95,126.9", "pos: latitude 95 is outside -90..90")]
    [InlineData("pos", "95°00′N 126°00′E", "pos: latitude 95 is outside -90..90")]
    [InlineData("pos", "37.5,181", "pos: longitude 181 is outside -180..180")]
    [InlineData("pos", "37°61′N 126°00′E", "minutes and seconds must be below 60")]
    [InlineData("pos", "Seoul", "pos: 'Seoul' is not a position; give latitude,longitude")]
    [InlineData("brg", "360", "brg: bearing 360 is outside 0..359")]
    [InlineData("brg", "-1", "brg: bearing -1 is outside 0..359")]
    [InlineData("brg", "north", "brg: bearing 'north' is not a number")]
    [InlineData("crs", "12.25", "crs: course 12.25 has more than one decimal")]
    [InlineData("spd", "-3", "spd: speed -3 is outside 0..2000 knots")]
    [InlineData("spd", "2000.5", "spd: speed 2000.5 is outside 0..2000 knots")]
    [InlineData("alt", "100001", "alt: altitude 100001 is outside -1500..100000 feet")]
    [InlineData("alt", "350.5", "alt: altitude '350.5' is not a whole number")]
    [InlineData("ship", "DDG 991", "ship: callsign 'DDG 991' may hold only letters A-Z, digits and '-'")]
    [InlineData("ship", "ABCDEFGHIJ-KLMNOPQRST", "1 to 20")]
    [InlineData("ship", "세종대왕", "ship: callsign")]
    [InlineData("at", "yesterday", "at: time 'yesterday' is not a UTC time")]
    [InlineData("at", "2026-11-27T15:30", "with Z or an offset")]
    [InlineData("at", "2026-13-27T15:30Z", "at: time '2026-13-27T15:30Z' is not a valid date and time")]
    [InlineData("at", "321530Z NOV 26", "at: time '321530Z NOV 26' is not a UTC time")]
    [InlineData("n", "-1", "n: count -1 is outside 0..100000")]
    [InlineData("note", "line one\nline two", "note: text holds a control character")]
    [InlineData("note", "abc\u202Edef", "note: text holds a control character")]
    [InlineData("ship", null, "ship: missing required parameter; give letters A-Z")]
    [InlineData("pos", "   ", "pos: missing required parameter")]
    public void Invalid_values_are_refused_naming_the_parameter_and_the_fix(string name, string? value, string error)
    {
        var check = Check(name, value);

        Assert.False(check.Ok);
        Assert.Contains(error, Assert.Single(check.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Overly_long_text_is_refused_with_its_length_and_the_limit()
    {
        var check = Check("note", new string('x', 201));

        Assert.Equal("note: text is 201 characters long; shorten it to 200 at most", Assert.Single(check.Errors));
        Assert.True(Check("note", new string('x', 200)).Ok);
    }

    [Fact]
    public void Unknown_parameters_are_refused_naming_the_ones_the_message_takes()
    {
        var values = SampleCatalog.ValidValues();
        values["colour"] = "red";

        var check = _message.Validate(values);

        Assert.False(check.Ok);
        Assert.Equal("colour: unknown parameter; TEST-ALL takes ship, pos, brg, crs, spd, alt, at, n, note", Assert.Single(check.Errors));
    }

    [Fact]
    public void Every_error_is_reported_at_once()
    {
        var check = _message.Validate(new Dictionary<string, string> { ["pos"] = "95,0", ["extra"] = "x" });

        Assert.Equal(9, check.Errors.Count); // 7 missing, 1 invalid, 1 unknown
        Assert.Contains(check.Errors, e => e.StartsWith("extra: unknown parameter", StringComparison.Ordinal));
        Assert.Contains(check.Errors, e => e.StartsWith("pos: latitude 95", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_refuses_invalid_values_with_a_template_exception_listing_the_errors()
    {
        var values = SampleCatalog.ValidValues();
        values["brg"] = "360";

        var e = Assert.Throws<TemplateException>(() => _message.Render("en", values));

        Assert.Equal(SampleCatalog.MessageId, e.MessageId);
        Assert.Contains("brg: bearing 360 is outside 0..359", Assert.Single(e.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_formats_each_type_for_the_language()
    {
        var values = SampleCatalog.ValidValues();
        values["note"] = "calm sea";

        Assert.Equal("Test DDG-991 37°33.99′N 126°58.68′E 045° 270.5° 12 kn 35,000 ft 271530Z NOV 26 3 calm sea", _message.Render("en", values));
        Assert.Equal("시험 DDG-991 북위 37°33.99′ 동경 126°58.68′ 045° 270.5° 12노트 35,000피트 2026년 11월 27일 15:30 UTC 3 calm sea", _message.Render("ko", values));
        Assert.Equal("测试 DDG-991 北纬37°33.99′ 东经126°58.68′ 045° 270.5° 12 节 35,000 英尺 2026年11月27日 15:30 UTC 3 calm sea", _message.Render("zh-Hans", values));
    }

    [Fact]
    public void Southern_and_western_positions_render_with_their_hemispheres()
    {
        var values = SampleCatalog.ValidValues();
        values["pos"] = "-33.85,-151.2";

        Assert.Contains("33°51.00′S 151°12.00′W", _message.Render("en", values), StringComparison.Ordinal);
        Assert.Contains("남위 33°51.00′ 서경 151°12.00′", _message.Render("ko", values), StringComparison.Ordinal);
        Assert.Contains("南纬33°51.00′ 西经151°12.00′", _message.Render("zh", values), StringComparison.Ordinal);
    }
}
