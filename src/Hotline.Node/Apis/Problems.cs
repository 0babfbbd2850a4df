using Microsoft.AspNetCore.Http;

namespace Hotline.Node.Apis;

internal static class Problems
{
    /// <summary>A problem-details answer whose <c>fix</c> tells the caller what to do about it.</summary>
    public static IResult Of(int status, string title, string? fix) =>
        Results.Problem(
            title: title,
            statusCode: status,
            extensions: fix is null ? null : new Dictionary<string, object?> { ["fix"] = fix });
}
