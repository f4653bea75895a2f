using System.Reflection;

namespace Gateway.Sessions.Redis;

/// <summary>
/// The Lua scripts, embedded from <c>Sessions/Redis/*.lua</c> and read once at start-up; a missing one fails
/// fast. StackExchange.Redis loads each script once per server and sends EVALSHA after that.
/// </summary>
internal static class RedisScripts
{
    public static readonly string Create = Load("create");
    public static readonly string Get = Load("get");
    public static readonly string BeginPart = Load("begin_part");
    public static readonly string RenewLease = Load("renew_lease");
    public static readonly string EndPart = Load("end_part");
    public static readonly string Transition = Load("transition");
    public static readonly string Reserve = Load("reserve");
    public static readonly string Release = Load("release");
    public static readonly string Reserved = Load("reserved");
    public static readonly string LockAcquire = Load("lock_acquire");
    public static readonly string LockRelease = Load("lock_release");

    private static string Load(string name)
    {
        var resource = $"Gateway.Sessions.Redis.{name}.lua";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded Lua script {resource} is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
