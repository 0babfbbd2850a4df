using Hotline.Storage.Transcript;

namespace Hotline.Node.Transcript;

/// <summary>A recorded divergence as the API shows it.</summary>
public sealed record DivergenceView(long Id, DateTimeOffset At, string Kind, string? Direction, long? Seq, string Detail)
{
    public static DivergenceView From(Divergence d) =>
        new(d.Id, d.At, d.Kind, d.Direction switch { Storage.Direction.Outbound => "out", Storage.Direction.Inbound => "in", _ => null }, d.Seq, d.Detail);
}
