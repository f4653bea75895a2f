using System.ComponentModel.DataAnnotations;

namespace Gateway.Expiry;

/// <summary><c>Gateway:Expiry</c>: the sweeper that ends sessions past their <c>expires_at</c>.</summary>
internal sealed class ExpiryOptions
{
    public const string Section = "Gateway:Expiry";

    public bool Enabled { get; set; } = true;

    /// <summary>Time between sweeps.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one instance holds the sweeper lock; another takes over after it if the holder died.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan LockLease { get; set; } = TimeSpan.FromMinutes(2);
}
