using Hotline.Node.Supervision;
using Hotline.Storage;
using Xunit;

namespace Hotline.Node.Tests.Supervision;

public sealed class LineTestSettingsTests
{
    [Theory]
    [InlineData("0 9,16 * * *", "Asia/Seoul", 300, null)]
    [InlineData("0 * * * *", "UTC", 60, null)]
    [InlineData("0 9,16 * *", "Asia/Seoul", 300, "is not a cron expression")]
    [InlineData("0 9 * * *", "Mars/Olympus_Mons", 300, "is not a time zone")]
    [InlineData("0 9 * * *", "UTC", 0, "between 1 second and 24 hours")]
    public void Validate_names_what_is_wrong(string cron, string zone, int window, string? error)
    {
        var problem = LineTestService.Validate(new LineTestSettings { Schedule = cron, TimeZone = zone, AnswerWithinSeconds = window });
        if (error is null)
        {
            Assert.Null(problem);
        }
        else
        {
            Assert.Contains(error, problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_links_settings_override_the_nodes_member_by_member()
    {
        var node = new LineTestSettings { Enabled = true, Schedule = "0 * * * *", TimeZone = "UTC", AnswerWithinSeconds = 300 };
        var link = new LineTestSettings { Schedule = "0 9,16 * * *", TimeZone = "Asia/Seoul" }.Over(node);
        Assert.Equal(new LineTestSettings { Enabled = true, Schedule = "0 9,16 * * *", TimeZone = "Asia/Seoul", AnswerWithinSeconds = 300 }, link);
        Assert.Equal(LineTestSettings.Defaults, new LineTestSettings().Over(new LineTestSettings()));
    }

    [Theory]
    [InlineData("30d", 30 * 86_400)]
    [InlineData("12h", 12 * 3_600)]
    [InlineData("90m", 90 * 60)]
    [InlineData("2w", 14 * 86_400)]
    [InlineData("1.5d", 36 * 3_600)]
    public void A_period_is_counted_back_from_now(string text, int seconds)
    {
        var now = new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
        Assert.True(ReportPeriod.TryParseSince(text, now, out var since));
        Assert.Equal(now.AddSeconds(-seconds), since);
    }

    [Fact]
    public void A_period_may_be_a_date_and_nonsense_or_the_future_is_refused()
    {
        var now = new DateTimeOffset(2026, 11, 28, 0, 0, 0, TimeSpan.Zero);
        Assert.True(ReportPeriod.TryParseSince("2026-11-01", now, out var since));
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), since);
        Assert.False(ReportPeriod.TryParseSince("yesterday", now, out _));
        Assert.False(ReportPeriod.TryParseSince("-3d", now, out _));
        Assert.False(ReportPeriod.TryParseSince("2027-01-01", now, out _));
    }
}
