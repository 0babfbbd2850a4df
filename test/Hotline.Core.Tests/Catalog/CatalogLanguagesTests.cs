using Hotline.Core.Catalog;
using Xunit;

namespace Hotline.Core.Tests.Catalog;

public sealed class CatalogLanguagesTests
{
    [Theory]
    [InlineData("ko", "ko")]
    [InlineData("ko-KR", "ko")]
    [InlineData("zh", "zh")]
    [InlineData("zh-CN", "zh")]
    [InlineData("zh-Hans", "zh")]
    [InlineData("zh_Hans_HK", "zh")]
    [InlineData("en-GB", "en")]
    [InlineData(" EN-us ", "en")]
    [InlineData("zh-Hant", null)]
    [InlineData("zh-TW", null)]
    [InlineData("zh-HK", null)]
    [InlineData("fr-FR", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Normalize_maps_BCP_47_tags_to_catalog_languages(string? tag, string? expected)
    {
        Assert.Equal(expected, CatalogLanguages.Normalize(tag));
    }
}
