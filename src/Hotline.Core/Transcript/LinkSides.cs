using Hotline.Core.Identity;

namespace Hotline.Core.Transcript;

/// <summary>The two nodes of a link in transcript order: A has the bytewise lower identity key.</summary>
public sealed record LinkSides
{
    private LinkSides(NodeKey a, NodeKey b)
    {
        A = a;
        B = b;
    }

    public NodeKey A { get; }
    public NodeKey B { get; }

    public static LinkSides Of(NodeKey one, NodeKey other)
    {
        if (one.Equals(other))
        {
            throw new ArgumentException("A link joins two different keys.", nameof(other));
        }
        return one.CompareTo(other) < 0 ? new LinkSides(one, other) : new LinkSides(other, one);
    }

    public NodeKey Sender(ChainDirection d) => d == ChainDirection.AtoB ? A : B;

    public NodeKey Recipient(ChainDirection d) => d == ChainDirection.AtoB ? B : A;

    /// <summary>The direction in which <paramref name="sender"/> sends.</summary>
    public ChainDirection From(NodeKey sender) =>
        sender.Equals(A) ? ChainDirection.AtoB
        : sender.Equals(B) ? ChainDirection.BtoA
        : throw new ArgumentException("The key is not one of the link's.", nameof(sender));

    public bool Holds(NodeKey key) => key.Equals(A) || key.Equals(B);

    public NodeKey Other(NodeKey key) => key.Equals(A) ? B : A;

    public static string Name(ChainDirection d) => d == ChainDirection.AtoB ? "A→B" : "B→A";
}
