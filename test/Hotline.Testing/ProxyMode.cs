namespace Hotline.Testing;

/// <summary>What a <see cref="FaultProxy"/> does with connections.</summary>
public enum ProxyMode
{
    Forward,
    Cut,
    Blackhole,
}
