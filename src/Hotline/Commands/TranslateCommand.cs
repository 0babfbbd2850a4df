using System.CommandLine;

namespace Hotline.Cli.Commands;

/// <summary><c>hotline translate</c> and <c>hotline certify</c>: signed translations, and their certification by a second person.</summary>
internal static class TranslateCommand
{
    public static Command Create()
    {
        var id = new Argument<Guid>("ID") { Description = "The message to translate (sent or received)." };
        var language = new Option<string>("--lang") { Description = "The translation's language (BCP 47), e.g. ko, zh, en.", Required = true };
        var text = new Argument<string>("TEXT") { Description = "The translated text ('-' reads standard input)." };
        var command = new Command("translate", "Attach a translation to a message; it is signed and sent to the peer, and kept in the record.")
        {
            id, text, language, CommonOptions.As,
        };
        command.SetAction(async (r, ct) =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            var body = r.GetValue(text)!;
            if (body == "-")
            {
                body = await Console.In.ReadToEndAsync(ct);
            }
            using var api = ApiClient.For(folder, actor: CommonOptions.Actor(r));
            var t = await api.PostAsync($"/api/messages/{r.GetValue(id)}/translations", new { language = r.GetValue(language), text = body }, ct);
            Console.WriteLine($"translation {t.GetProperty("id").GetString()} ({t.GetProperty("language").GetString()}) by {t.GetProperty("translatedBy").GetString()} committed; a second person certifies it with 'hotline certify {t.GetProperty("id").GetString()} --as NAME'");
            return 0;
        });
        return command;
    }

    public static Command CreateCertify()
    {
        var id = new Argument<Guid>("TRANSLATION") { Description = "The id of the translation to certify." };
        var remark = new Option<string?>("--remark") { Description = "A short remark that travels with the certification." };
        var command = new Command("certify", "Certify a translation made by someone else (on either side); signed and sent to the peer.") { id, remark, CommonOptions.As };
        command.SetAction(async (r, ct) =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            using var api = ApiClient.For(folder, actor: CommonOptions.Actor(r));
            var c = await api.PostAsync($"/api/translations/{r.GetValue(id)}/certify", new { remark = r.GetValue(remark) }, ct);
            Console.WriteLine($"translation {r.GetValue(id)} certified by {c.GetProperty("certifiedBy").GetString()} {c.GetProperty("dtg").GetString()}");
            return 0;
        });
        return command;
    }
}
