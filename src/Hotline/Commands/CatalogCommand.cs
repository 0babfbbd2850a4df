using System.CommandLine;
using Hotline.Core.Catalog;

namespace Hotline.Cli.Commands;

internal static class CatalogCommand
{
    public static Command Create()
    {
        var category = new Option<string?>("--category", "-c") { Description = "Only messages of this category (naval, air, emergency, sar, incident, procedure)." };
        var listLang = LanguageOption("Language of the wording (default: en).");
        var list = new Command("list", "List the standard messages: id, category and wording.") { listLang, category };
        list.SetAction(r => List(Language(r.GetValue(listLang)) ?? CatalogLanguages.English, r.GetValue(category)));

        var id = new Argument<string>("ID") { Description = "The message id, e.g. NAV-ALTER-STARBOARD." };
        var showLang = LanguageOption("Show the wording in this language only (default: all three).");
        var show = new Command("show", "Show one message: its wording, its parameters and the catalog version.") { id, showLang };
        show.SetAction(r => Show(r.GetValue(id)!, Language(r.GetValue(showLang))));

        return new Command("catalog", "The standard message catalog both sides share.") { list, show };
    }

    private static Option<string?> LanguageOption(string description) =>
        new("--lang", "-l") { Description = description + " ko, zh or en; tags such as ko-KR or zh-CN work too." };

    private static string? Language(string? tag) =>
        tag is null ? null : CatalogLanguages.Normalize(tag)
            ?? throw new CliError($"the catalog has no wording in '{tag}': use --lang ko, zh or en", 2);

    private static int List(string lang, string? category)
    {
        var catalog = MessageCatalog.Default;
        var messages = catalog.Messages.Where(m => category is null || string.Equals(m.Category, category, StringComparison.OrdinalIgnoreCase)).ToList();
        if (messages.Count == 0)
        {
            var categories = string.Join(", ", catalog.Messages.Select(m => m.Category).Distinct());
            throw new CliError($"no category '{category}' in the catalog: use one of {categories}");
        }
        var idWidth = messages.Max(m => m.Id.Length);
        var categoryWidth = messages.Max(m => m.Category.Length);
        Console.WriteLine($"Catalog {catalog.Version}, {messages.Count} messages ({catalog.Review})");
        foreach (var m in messages)
        {
            Console.WriteLine($"{m.Id.PadRight(idWidth)}  {m.Category.PadRight(categoryWidth)}  {m.Wording(lang)}");
        }
        return 0;
    }

    private static int Show(string id, string? lang)
    {
        var catalog = MessageCatalog.Default;
        var message = catalog.Find(id)
            ?? throw new CliError($"no message '{id}' in catalog {catalog.Version}: run 'hotline catalog list' to see the ids");
        Console.WriteLine($"{message.Id}  ({message.Category}, catalog {catalog.Version})");
        foreach (var l in lang is null ? catalog.Languages : [lang])
        {
            Console.WriteLine($"  {l}  {message.Wording(l)}");
        }
        Console.WriteLine(message.Parameters.Count == 0 ? "Parameters: none" : "Parameters");
        var nameWidth = message.Parameters.Select(p => p.Name.Length).DefaultIfEmpty().Max();
        foreach (var p in message.Parameters)
        {
            var description = p.DescriptionIn(lang ?? CatalogLanguages.English) is { } d ? $"{d}: " : "";
            Console.WriteLine($"  {p.Name.PadRight(nameWidth)}  {p.Type.ToWire(),-8}  {(p.Required ? "required" : "optional")}  {description}{p.Type.Hint()}");
        }
        Console.WriteLine("Text in [ ] is left out when its optional parameter is not given.");
        Console.WriteLine($"Wording: {catalog.Review}");
        return 0;
    }
}
