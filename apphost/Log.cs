using Microsoft.Extensions.Logging;

namespace AppHost;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Store: {Store}.")]
    public static partial void StoreChosen(ILogger logger, string store);

    [LoggerMessage(2, LogLevel.Information, "S3: {ObjectStore}.")]
    public static partial void ObjectStoreChosen(ILogger logger, string objectStore);
}
