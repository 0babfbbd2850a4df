using System.CommandLine;

namespace Hotline.Cli.Commands;

internal static class CardCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--out", "-o") { Description = "Write the card to this file (default: print it)." };
        var export = new Command("export", "Write this node's pairing card and print its fingerprint to read aloud.") { output };
        export.SetAction(r =>
        {
            var folder = CommonOptions.InitialisedFolder(r);
            var card = folder.CreateCard(folder.LoadConfig());
            if (r.GetValue(output) is { } path)
            {
                File.WriteAllText(path, card.ToJson() + "\n");
                Console.WriteLine($"Card of '{card.Name}' written to {path}");
            }
            else
            {
                Console.WriteLine(card.ToJson());
            }
            Console.Error.WriteLine($"Fingerprint (read it aloud to the other side): {card.Fingerprint}");
            return 0;
        });
        return new Command("card", "Pairing cards.") { export };
    }
}
