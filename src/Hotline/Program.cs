using System.CommandLine;
using Hotline.Cli;
using Hotline.Cli.Commands;

NodeEnvironment.Reexec(args);

var root = new RootCommand("Hotline: a crisis-communication hotline between sovereign nodes.")
{
    CommonOptions.Data,
    InitCommand.Create(),
    CardCommand.Create(),
    PeerCommand.Create(),
    ServeCommand.Create(),
    SendCommand.Create(),
    InboxCommand.Create(),
    StatusCommand.Create(),
    AckCommand.Create(),
    TranslateCommand.Create(),
    TranslateCommand.CreateCertify(),
    PendingCommand.Create(),
    TestCommand.Create(),
    ReportCommand.Create(),
    DemoCommand.Create(),
    BenchCommand.Create(),
    CheckpointCommand.Create(),
    VerifyCommand.Create(),
    ExportCommand.Create(),
    VerifyBundleCommand.Create(),
    UserCommand.Create(),
    CatalogCommand.Create(),
};

try
{
    return await root.Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (CliError e)
{
    Console.Error.WriteLine($"hotline: {e.Message}");
    return e.ExitCode;
}
