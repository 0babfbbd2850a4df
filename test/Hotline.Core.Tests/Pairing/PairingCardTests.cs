using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hotline.Core.Identity;
using Hotline.Core.Pairing;
using Xunit;

namespace Hotline.Core.Tests.Pairing;

public sealed partial class PairingCardTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 15, 30, 0, TimeSpan.Zero);
    private readonly NodeIdentity _identity = NodeIdentity.Create();
    private readonly string _tls = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public void Dispose() => _identity.Dispose();

    private PairingCard NewCard() => PairingCard.Create(_identity, "ROK Ministry of National Defense", _tls,
        ["https://203.0.113.5:7443", "https://198.51.100.7:7443"], ["ministerial", "navy", "air"], Now);

    private string Altered(Action<JsonObject> change)
    {
        var json = JsonNode.Parse(NewCard().ToJson())!.AsObject();
        change(json);
        return json.ToJsonString();
    }

    [Fact]
    public void Parse_accepts_a_card_as_exported_and_keeps_every_field()
    {
        var card = NewCard();

        var parsed = PairingCard.Parse(card.ToJson());

        Assert.Null(parsed.Error);
        var c = parsed.Card!;
        Assert.Equal(card.Name, c.Name);
        Assert.Equal(_identity.PublicKey, c.Key);
        Assert.Equal(_tls, c.TlsCertificateSha256);
        Assert.Equal(card.Endpoints, c.Endpoints);
        Assert.Equal(card.Channels, c.Channels);
        Assert.Equal(Now, c.Created);
    }

    [Fact]
    public void Parse_accepts_an_uppercase_tls_pin_and_normalises_it()
    {
        // The pin is signed as written; only a card signed with uppercase hex can carry it.
        var card = PairingCard.Create(_identity, "X", _tls.ToUpperInvariant(), ["https://127.0.0.1:1"], ["navy"], Now);
        Assert.Equal(_tls, PairingCard.Parse(card.ToJson()).Card!.TlsCertificateSha256);
    }

    [Theory]
    [InlineData("name", "PRC Ministry of National Defense")]
    [InlineData("tlsCertificateSha256", "0000000000000000000000000000000000000000000000000000000000000000")]
    public void Parse_refuses_a_card_whose_signed_text_was_changed(string field, string value)
    {
        var error = PairingCard.Parse(Altered(j => j[field] = value)).Error;
        Assert.NotNull(error);
        Assert.Contains("altered", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_refuses_a_card_whose_endpoint_was_redirected()
    {
        var error = PairingCard.Parse(Altered(j => j["endpoints"]![0] = "https://192.0.2.66:7443")).Error;
        Assert.NotNull(error);
        Assert.Contains("altered", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_refuses_a_card_with_an_added_channel()
    {
        var error = PairingCard.Parse(Altered(j => j["channels"]!.AsArray().Add("army"))).Error;
        Assert.Contains("altered", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_refuses_a_card_signed_by_another_identity()
    {
        using var other = NodeIdentity.Create();
        var error = PairingCard.Parse(Altered(j => j["identityKey"] = other.PublicKey.ToBase64())).Error;
        Assert.Contains("altered", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("not json at all")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"name\": 5}")]
    public void Parse_refuses_malformed_json(string json)
    {
        var parsed = PairingCard.Parse(json);
        Assert.Null(parsed.Card);
        Assert.StartsWith("not a pairing card", parsed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_refuses_null_json() =>
        Assert.Equal("not a pairing card (empty)", PairingCard.Parse("null").Error);

    [Fact]
    public void Parse_refuses_a_card_without_its_endpoints_field() =>
        Assert.StartsWith("not a pairing card", PairingCard.Parse(Altered(j => j.Remove("endpoints"))).Error, StringComparison.Ordinal);

    [Theory]
    [InlineData("endpoints")]
    [InlineData("channels")]
    public void Parse_refuses_a_card_with_null_endpoints_or_channels(string field) =>
        Assert.Equal("card is missing its name, endpoints or channels", PairingCard.Parse(Altered(j => j[field] = null)).Error);

    [Theory]
    [InlineData(2)]
    [InlineData(0)]
    public void Parse_refuses_another_card_version(int version)
    {
        var error = PairingCard.Parse(Altered(j => j["version"] = version)).Error;
        Assert.Equal($"card version {version} is not supported (this node reads version 1)", error);
    }

    [Theory]
    [InlineData("identityKey", "%%%not-base64%%%")]
    [InlineData("identityKey", "AAAA")]
    [InlineData("signature", "%%%not-base64%%%")]
    public void Parse_refuses_bad_base64_or_a_key_of_the_wrong_length(string field, string value)
    {
        var error = PairingCard.Parse(Altered(j => j[field] = value)).Error;
        Assert.NotNull(error);
        Assert.Contains("base64", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
    public void Parse_refuses_a_tls_pin_that_is_not_64_hex_digits(string pin) =>
        Assert.Contains("64 hex digits", PairingCard.Parse(Altered(j => j["tlsCertificateSha256"] = pin)).Error, StringComparison.Ordinal);

    [Fact]
    public void Parse_refuses_a_signed_card_with_a_plain_http_endpoint()
    {
        var card = PairingCard.Create(_identity, "X", _tls, ["http://127.0.0.1:7443"], ["navy"], Now);
        Assert.Contains("not an https:// address", PairingCard.Parse(card.ToJson()).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_refuses_a_signed_card_with_an_invalid_channel_name()
    {
        var card = PairingCard.Create(_identity, "X", _tls, ["https://127.0.0.1:7443"], ["Navy Ops"], Now);
        Assert.Contains("invalid channel", PairingCard.Parse(card.ToJson()).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Fingerprint_is_eight_groups_of_five_digits_and_stable()
    {
        var card = NewCard();
        var again = PairingCard.Parse(card.ToJson()).Card!;
        var recreated = NewCard();

        Assert.Matches(FingerprintPattern(), card.Fingerprint);
        Assert.Equal(card.Fingerprint, again.Fingerprint);
        Assert.Equal(card.Fingerprint, recreated.Fingerprint);
        Assert.Equal(card.Fingerprint, Fingerprints.ForCard(_identity.PublicKey, _tls));
    }

    [Fact]
    public void Fingerprint_changes_with_the_identity_key_or_the_tls_pin()
    {
        using var other = NodeIdentity.Create();
        var otherTls = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var fingerprint = Fingerprints.ForCard(_identity.PublicKey, _tls);

        Assert.NotEqual(fingerprint, Fingerprints.ForCard(other.PublicKey, _tls));
        Assert.NotEqual(fingerprint, Fingerprints.ForCard(_identity.PublicKey, otherTls));
    }

    [GeneratedRegex(@"^\d{5}( \d{5}){7}$")]
    private static partial Regex FingerprintPattern();
}
