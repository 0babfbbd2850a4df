using System.Text;

namespace Hotline.Core.Envelopes;

public static class EnvelopeLimits
{
    /// <summary>The largest message text, in UTF-8 bytes.</summary>
    public const int MaxTextBytes = 64 * 1024;

    /// <summary>The largest encoded body accepted from a peer (text plus headroom for the other fields).</summary>
    public const int MaxBodyBytes = MaxTextBytes + 4096;

    public static int TextBytes(string text) => Encoding.UTF8.GetByteCount(text);
}
