using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hotline.Core.Identity;

namespace Hotline.Core.Pairing;

/// <summary>
/// What one node hands the other out of band. Everything in it is signed by the identity key; the
/// fingerprint that people read aloud covers the identity key and the TLS certificate pin.
/// </summary>
public sealed record PairingCard
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;
    public required string Name { get; init; }
    /// <summary>Ed25519 identity public key, base64.</summary>
    public required string IdentityKey { get; init; }
    /// <summary>SHA-256 of the link TLS certificate (DER), lowercase hex.</summary>
    public required string TlsCertificateSha256 { get; init; }
    /// <summary>Link addresses in order of preference, e.g. <c>https://203.0.113.5:7443</c>.</summary>
    public required IReadOnlyList<string> Endpoints { get; init; }
    public required IReadOnlyList<string> Channels { get; init; }
    /// <summary>Confidentiality labels this node accepts, in display form (see <see cref="Messages.Label"/>).</summary>
    public IReadOnlyList<string> Labels { get; init; } = [Messages.Label.Default.ToString()];
    /// <summary>Version of the standard message catalog the node renders; compared at pairing (absent on older cards).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CatalogVersion { get; init; }
    public DateTimeOffset Created { get; init; }
    /// <summary>Signature by the identity key over the card with this field empty.</summary>
    public string Signature { get; init; } = "";

    [JsonIgnore]
    public NodeKey Key => NodeKey.FromBase64(IdentityKey);

    public string Fingerprint => Fingerprints.ForCard(Key, TlsCertificateSha256);

    [JsonIgnore]
    public IReadOnlyList<Messages.Label> ParsedLabels =>
        Labels.Select(l => Messages.Label.TryParse(l, out var x) ? x! : throw new FormatException(l)).ToArray();

    public static PairingCard Create(NodeIdentity identity, string name, string tlsSha256,
        IReadOnlyList<string> endpoints, IReadOnlyList<string> channels, DateTimeOffset now, IReadOnlyList<string>? labels = null,
        string? catalogVersion = null)
    {
        var card = new PairingCard
        {
            Name = name,
            IdentityKey = identity.PublicKey.ToBase64(),
            TlsCertificateSha256 = tlsSha256,
            Endpoints = endpoints,
            Channels = channels,
            Labels = labels ?? [Messages.Label.Default.ToString()],
            CatalogVersion = catalogVersion,
            Created = now,
        };
        var signature = SignatureDomain.Sign(identity, SignatureDomain.Card, card.SignedBytes());
        return card with { Signature = Convert.ToBase64String(signature) };
    }

    public string ToJson() => JsonSerializer.Serialize(this, CardJson.Options);

    /// <summary>Parses and checks a card; a damaged or forged one gives a reason instead.</summary>
    public static CardParse Parse(string json)
    {
        PairingCard? card;
        try
        {
            card = JsonSerializer.Deserialize<PairingCard>(json, CardJson.Options);
        }
        catch (JsonException e)
        {
            return CardParse.Fail($"not a pairing card ({e.Message})");
        }
        if (card is null)
        {
            return CardParse.Fail("not a pairing card (empty)");
        }
        if (card.Version != CurrentVersion)
        {
            return CardParse.Fail($"card version {card.Version} is not supported (this node reads version {CurrentVersion})");
        }
        if (string.IsNullOrWhiteSpace(card.Name) || card.Endpoints is null || card.Channels is null)
        {
            return CardParse.Fail("card is missing its name, endpoints or channels");
        }
        NodeKey key;
        byte[] signature;
        try
        {
            key = card.Key;
            signature = Convert.FromBase64String(card.Signature);
        }
        catch (FormatException)
        {
            return CardParse.Fail("card identity key or signature is not valid base64 of the right length");
        }
        if (card.TlsCertificateSha256.Length != 64 || !card.TlsCertificateSha256.All(Uri.IsHexDigit))
        {
            return CardParse.Fail("card TLS certificate fingerprint must be 64 hex digits");
        }
        if (!SignatureDomain.Verify(key, SignatureDomain.Card, card.SignedBytes(), signature))
        {
            return CardParse.Fail("card signature does not match its identity key: the card was altered");
        }
        foreach (var e in card.Endpoints)
        {
            if (!Uri.TryCreate(e, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
            {
                return CardParse.Fail($"card endpoint '{e}' is not an https:// address");
            }
        }
        if (card.Channels.Any(c => !Messages.Channels.IsValidName(c)))
        {
            return CardParse.Fail("card lists an invalid channel name");
        }
        if (card.Labels is null || card.Labels.Count == 0 || card.Labels.Any(l => !Messages.Label.TryParse(l, out _)))
        {
            return CardParse.Fail("card lists no labels or an invalid label (expected CLASSIFICATION//POLICY[//REL A,B])");
        }
        return CardParse.Ok(card with { TlsCertificateSha256 = card.TlsCertificateSha256.ToLowerInvariant() });
    }

    private byte[] SignedBytes() =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(this with { Signature = "" }, CardJson.Options));
}

public readonly record struct CardParse(PairingCard? Card, string? Error)
{
    public static CardParse Ok(PairingCard c) => new(c, null);
    public static CardParse Fail(string e) => new(null, e);
}

internal static class CardJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };
}

public static class Fingerprints
{
    /// <summary>
    /// 40 decimal digits in 8 groups of 5, from SHA-256 over the identity key and the TLS pin.
    /// Read aloud and compared by both administrators before a card is added.
    /// </summary>
    public static string ForCard(NodeKey key, string tlsSha256Hex)
    {
        var input = new byte[key.Bytes.Length + 32];
        key.Bytes.CopyTo(input);
        Convert.FromHexString(tlsSha256Hex).CopyTo(input, key.Bytes.Length);
        var hash = SHA256.HashData(input);
        var groups = new string[8];
        for (var i = 0; i < 8; i++)
        {
            var chunk = (uint)(hash[i * 4] << 24 | hash[i * 4 + 1] << 16 | hash[i * 4 + 2] << 8 | hash[i * 4 + 3]);
            groups[i] = (chunk % 100000).ToString("D5", System.Globalization.CultureInfo.InvariantCulture);
        }
        return string.Join(' ', groups);
    }
}
