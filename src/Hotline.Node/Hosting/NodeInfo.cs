using Hotline.Core.Identity;

namespace Hotline.Node.Hosting;

/// <summary>Who this node is, for the API.</summary>
public sealed record NodeInfo(string Name, NodeKey Key, string Fingerprint, DateTimeOffset Started);
