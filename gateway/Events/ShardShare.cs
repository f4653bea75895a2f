namespace Gateway.Events;

/// <summary>
/// How many of one endpoint's shards this instance should own: its fair share, <c>ceil(shards / live instances)</c>,
/// so that every shard has room for an owner and no instance holds more than one above another. Below its share
/// an instance takes free shards; above it, it gives surplus ones up (<see cref="ShardDelivery"/> does so only
/// between deliveries). The live count comes from the instances' heartbeats (<see cref="Gateway.Sessions.IEventLog.AnnounceAsync"/>).
/// </summary>
internal sealed class ShardShare(int shards)
{
    private readonly Lock _gate = new();
    private int _members = 1;
    private int _owned;

    /// <summary>Sets the instances alive for this endpoint, this one included (counted as at least one).</summary>
    public void SetMembers(int members)
    {
        lock (_gate)
        {
            _members = Math.Max(1, members);
        }
    }

    /// <summary>The share: at most this many shards owned here.</summary>
    public int Fair()
    {
        lock (_gate)
        {
            return FairLocked;
        }
    }

    private int FairLocked => (shards + _members - 1) / _members;

    /// <summary>Counts one more shard as owned if that stays within the share: call before taking a lease.</summary>
    public bool TryReserve()
    {
        lock (_gate)
        {
            if (_owned >= FairLocked)
            {
                return false;
            }
            _owned++;
            return true;
        }
    }

    /// <summary>One shard less: a reserved lease not got, or an owned one lost or given up.</summary>
    public void Release()
    {
        lock (_gate)
        {
            _owned--;
        }
    }

    /// <summary>True (and one shard less counted) if this instance owns more than its share: the caller gives one up.</summary>
    public bool TryGiveUp()
    {
        lock (_gate)
        {
            if (_owned <= FairLocked)
            {
                return false;
            }
            _owned--;
            return true;
        }
    }
}
