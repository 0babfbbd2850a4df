using Hotline.Core.Envelopes;
using Hotline.Core.Identity;
using Hotline.Core.Messages;

namespace Hotline.Benchmarks;

/// <summary>Two identities and a typical message, shared by the benchmarks.</summary>
internal static class Fixture
{
    public static NodeIdentity NewIdentity() => NodeIdentity.Create();

    /// <summary>About 100 bytes, like the messages <c>hotline bench</c> sends.</summary>
    public static EnvelopeDraft Draft(int textBytes) => new()
    {
        Channel = "navy",
        Text = new string('x', textBytes),
        Precedence = Precedence.Routine,
        Label = Label.Default,
    };
}
