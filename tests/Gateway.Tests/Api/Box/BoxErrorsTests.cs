using Gateway.Api.Box;
using Gateway.Domain;

namespace Gateway.Tests.Api.Box;

/// <summary>The core's errors in Box's words (Api/Box/BoxErrors.cs): status and code by error and by call.</summary>
public sealed class BoxErrorsTests
{
    public static TheoryData<string, int, int, string> Rows => new()
    {
        { ErrorCode.InvalidTarget.Code, (int)BoxOperation.Create, 404, "invalid_parameter" },
        { ErrorCode.InvalidTarget.Code, (int)BoxOperation.Other, 400, "bad_request" },
        { ErrorCode.UnknownBackend.Code, (int)BoxOperation.Create, 404, "invalid_parameter" },
        { ErrorCode.ChecksumMismatch.Code, (int)BoxOperation.Commit, 400, "digest_mismatch" },
        { ErrorCode.ChecksumMismatch.Code, (int)BoxOperation.Part, 400, "bad_digest" },
        { ErrorCode.PartConflict.Code, (int)BoxOperation.Part, 416, "range_overlaps_existing_part" },
        { ErrorCode.Conflict.Code, (int)BoxOperation.Create, 409, "item_name_in_use" },
        { ErrorCode.UploadTooLarge.Code, (int)BoxOperation.Part, 413, "request_entity_too_large" },
        { ErrorCode.QuotaExceeded.Code, (int)BoxOperation.Create, 403, "storage_limit_exceeded" },
        { ErrorCode.Expired.Code, (int)BoxOperation.Part, 410, "session_expired" },
        { ErrorCode.BackendUnavailable.Code, (int)BoxOperation.Commit, 503, "unavailable" },
        { ErrorCode.StorageFull.Code, (int)BoxOperation.Part, 503, "unavailable" },
        { ErrorCode.BackendError.Code, (int)BoxOperation.Commit, 502, "bad_gateway" },
        { ErrorCode.HookRejected.Code, (int)BoxOperation.Create, 403, ErrorCode.HookRejected.Code },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void A_core_error_becomes_Boxs_status_and_errorCodefor_the_call(string error, int operation, int status, string code)
    {
        var errorCode = typeof(ErrorCode).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => f.GetValue(null)).OfType<ErrorCode>().Single(e => e.Code == error);
        var mapped = BoxErrors.From(new GatewayException(errorCode, "why") { RetryAfter = TimeSpan.FromSeconds(3), UploadId = "up_x" }, (BoxOperation)operation);

        Assert.Equal((status, code), (mapped.Status, mapped.Code));
        Assert.Equal("why", mapped.Message);
        Assert.Equal((TimeSpan.FromSeconds(3), "up_x"), (mapped.RetryAfter, mapped.UploadId));
    }
}
