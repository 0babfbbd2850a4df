using System.Text.Json.Nodes;

namespace Hotline.Core.Tests.Catalog;

/// <summary>A small valid catalog with one message taking every parameter type, for tests that change it.</summary>
internal static class SampleCatalog
{
    public const string MessageId = "TEST-ALL";

    public static JsonObject Json()
    {
        var placeholders = "{ship} {pos} {brg} {crs} {spd} {alt} {at} {n}[ {note}]";
        return new JsonObject
        {
            ["version"] = "2026.1",
            ["review"] = "test",
            ["languages"] = new JsonObject
            {
                ["ko"] = new JsonObject { ["name"] = "한국어", ["review"] = "test" },
                ["zh"] = new JsonObject { ["name"] = "简体中文", ["review"] = "test" },
                ["en"] = new JsonObject { ["name"] = "English", ["review"] = "test" },
            },
            ["messages"] = new JsonArray(new JsonObject
            {
                ["id"] = MessageId,
                ["category"] = "test",
                ["parameters"] = new JsonArray(
                    Parameter("ship", "callsign"), Parameter("pos", "position"), Parameter("brg", "bearing"),
                    Parameter("crs", "course"), Parameter("spd", "speed"), Parameter("alt", "altitude"),
                    Parameter("at", "time"), Parameter("n", "count"), Parameter("note", "text", required: false)),
                ["wording"] = new JsonObject
                {
                    ["ko"] = "시험 " + placeholders,
                    ["zh"] = "测试 " + placeholders,
                    ["en"] = "Test " + placeholders,
                },
            }),
        };
    }

    public static JsonObject Message(JsonObject catalog) => catalog["messages"]![0]!.AsObject();

    public static Dictionary<string, string> ValidValues() => new()
    {
        ["ship"] = "ddg-991",
        ["pos"] = "37.5665,126.9780",
        ["brg"] = "45",
        ["crs"] = "270.5",
        ["spd"] = "12",
        ["alt"] = "35000",
        ["at"] = "271530Z NOV 26",
        ["n"] = "3",
    };

    private static JsonObject Parameter(string name, string type, bool required = true) =>
        new() { ["name"] = name, ["type"] = type, ["required"] = required };
}
