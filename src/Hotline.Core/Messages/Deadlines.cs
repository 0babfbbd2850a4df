namespace Hotline.Core.Messages;

/// <summary>How long delivery and a person's acknowledgement may take, for one precedence.</summary>
public sealed record Deadline(TimeSpan Deliver, TimeSpan Acknowledge);

/// <summary>Deadlines for every precedence. Defaults follow the hotline's service levels.</summary>
public sealed record Deadlines
{
    public Deadline Flash { get; set; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10));
    public Deadline Immediate { get; set; } = new(TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(30));
    public Deadline Priority { get; set; } = new(TimeSpan.FromMinutes(10), TimeSpan.FromHours(3));
    public Deadline Routine { get; set; } = new(TimeSpan.FromHours(1), TimeSpan.FromHours(6));

    public static readonly Deadlines Default = new();

    public Deadline For(Precedence p) => p switch
    {
        Precedence.Flash => Flash,
        Precedence.Immediate => Immediate,
        Precedence.Priority => Priority,
        _ => Routine,
    };
}
