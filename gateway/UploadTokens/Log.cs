namespace Gateway.UploadTokens;

/// <summary>Upload-token events (ids 2500–2599). Token ids only: a token itself is a credential and never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(2500, LogLevel.Information, "Upload token {TokenId} minted for tenant {Tenant}: backend {Backend}, up to {MaxBytes} bytes, until {ExpiresAt:O}.")]
    public static partial void Minted(ILogger logger, string tokenId, string tenant, string backend, long maxBytes, DateTimeOffset expiresAt);

    [LoggerMessage(2501, LogLevel.Information, "Upload token {TokenId} of tenant {Tenant} revoked.")]
    public static partial void Revoked(ILogger logger, string tokenId, string tenant);

    [LoggerMessage(2502, LogLevel.Information, "Upload token refused: {Reason}.")]
    public static partial void Refused(ILogger logger, string reason);
}
