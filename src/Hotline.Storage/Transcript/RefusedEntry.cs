namespace Hotline.Storage.Transcript;

/// <summary>A peer's envelope whose signature and chain fields are sound but whose content this node refused.</summary>
public sealed record RefusedEntry(long Seq, byte[] Body, byte[] Signature, byte[] Hash, byte[] PrevHash, string Reason);
