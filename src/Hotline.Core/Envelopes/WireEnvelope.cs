namespace Hotline.Core.Envelopes;

/// <summary>An envelope as it goes on the wire: its sequence number and the exact signed bytes.</summary>
public sealed record WireEnvelope(long Seq, byte[] Body, byte[] Signature);
