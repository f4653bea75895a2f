using Gateway.Events;

namespace Gateway.Tests.Events;

/// <summary>The fair-share rule: ceil(shards / live instances), taken up to and given up down to.</summary>
public sealed class ShardShareTests
{
    [Theory]
    [InlineData(16, 1, 16)]
    [InlineData(16, 2, 8)]
    [InlineData(16, 3, 6)]
    [InlineData(4, 3, 2)]
    [InlineData(4, 5, 1)]
    [InlineData(4, 0, 4)]
    public void The_share_is_the_shards_divided_by_the_live_instances_rounded_up(int shards, int members, int fair)
    {
        var share = new ShardShare(shards);
        share.SetMembers(members);
        Assert.Equal(fair, share.Fair());
    }

    [Fact]
    public void Alone_an_instance_takes_every_shard_and_gives_the_surplus_up_when_another_joins()
    {
        var share = new ShardShare(4);
        for (var i = 0; i < 4; i++)
        {
            Assert.True(share.TryReserve());
        }
        Assert.False(share.TryReserve());
        Assert.False(share.TryGiveUp());

        share.SetMembers(2);

        // Two of four are surplus, no more: then it keeps the rest and takes nothing new.
        Assert.True(share.TryGiveUp());
        Assert.True(share.TryGiveUp());
        Assert.False(share.TryGiveUp());
        Assert.False(share.TryReserve());
    }

    [Fact]
    public void Below_its_share_an_instance_takes_free_shards_and_a_lease_it_did_not_get_is_counted_off()
    {
        var share = new ShardShare(4);
        share.SetMembers(2);
        Assert.True(share.TryReserve());
        Assert.True(share.TryReserve());
        Assert.False(share.TryReserve());

        // The lease went to another instance: room for one again.
        share.Release();
        Assert.True(share.TryReserve());

        // The other instance died: the whole stream is this one's to take.
        share.SetMembers(1);
        Assert.True(share.TryReserve());
        Assert.True(share.TryReserve());
        Assert.False(share.TryReserve());
    }

    [Fact]
    public void Fair_shares_of_every_live_instance_cover_every_shard()
    {
        for (var shards = 1; shards <= 32; shards++)
        {
            for (var members = 1; members <= 10; members++)
            {
                var share = new ShardShare(shards);
                share.SetMembers(members);
                Assert.True(share.Fair() * members >= shards);
                Assert.True((share.Fair() - 1) * members < shards);
            }
        }
    }
}
