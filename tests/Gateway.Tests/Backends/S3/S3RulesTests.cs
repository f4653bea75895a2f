using Gateway.Backends.S3;
using Gateway.Domain;
using Microsoft.Extensions.Configuration;

namespace Gateway.Tests.Backends.S3;

/// <summary>S3's part rules, its key rules and the backend's start-up checks, without a store.</summary>
public sealed class S3RulesTests
{
    private const long MiB = 1024 * 1024;

    [Theory]
    [InlineData(0L, 8 * MiB, 0)]
    [InlineData(1L, 8 * MiB, 1)]
    [InlineData(8 * MiB, 8 * MiB, 1)]
    [InlineData(8 * MiB + 1, 8 * MiB, 2)]
    [InlineData(80_000 * MiB, 8 * MiB, 10_000)]
    public void The_configured_part_size_holds_while_the_object_fits_in_10000_parts(long length, long partSize, int parts)
    {
        Assert.Equal((partSize, parts), S3PartSizing.For(length, 8 * MiB));
    }

    [Theory]
    [InlineData(80_000 * MiB + 1)]
    [InlineData(1L << 40)]
    [InlineData(5L << 40)]
    public void Larger_objects_get_whole_MiB_parts_within_every_S3_limit(long length)
    {
        var (partSize, parts) = S3PartSizing.For(length, 8 * MiB);

        Assert.True(parts <= S3Options.MaxParts, $"{parts} parts");
        Assert.Equal(0, partSize % MiB);
        Assert.InRange(partSize, 8 * MiB, S3Options.MaxPartBytes);
        Assert.True((long)parts * partSize >= length);
    }

    [Fact]
    public void An_object_over_5_TiB_is_upload_too_large()
    {
        var refused = Assert.Throws<GatewayException>(() => S3PartSizing.For((5L << 40) + 1, 8 * MiB));

        Assert.Equal(ErrorCode.UploadTooLarge, refused.Error);
    }

    [Theory]
    [InlineData("a.bin")]
    [InlineData("deep/folder/file name (1).tar.gz")]
    [InlineData("ünï/日本語/😀.txt")]
    [InlineData("..hidden/x..y/...")]
    public void Ordinary_keys_are_taken(string key) => S3Keys.Validate(key, "prefix/");

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/leading")]
    [InlineData("..")]
    [InlineData("a/../b")]
    [InlineData("a/./b")]
    [InlineData("trailing/..")]
    [InlineData("tab\there")]
    [InlineData("nul\0")]
    [InlineData("del\u007F")]
    [InlineData("bidi\u202Eexe.txt")]
    [InlineData("\uFF0E\uFF0E\uFF0Fescape")]
    [InlineData(".upload-gateway/up_abc")]
    public void Hostile_keys_are_invalid_targets(string? key)
    {
        var refused = Assert.Throws<GatewayException>(() => S3Keys.Validate(key, "prefix/"));

        Assert.Equal(ErrorCode.InvalidTarget, refused.Error);
    }

    [Fact]
    public void A_key_may_have_1024_bytes_of_UTF8_with_the_prefix_and_not_one_more()
    {
        S3Keys.Validate(new string('é', 508) + "x", "prefix/");
        Assert.Throws<GatewayException>(() => S3Keys.Validate(new string('é', 508) + "xy", "prefix/"));
    }

    [Fact]
    public void A_key_that_is_not_valid_Unicode_is_an_invalid_target()
    {
        var key = "lone" + (char)0xD800 + "surrogate";

        Assert.Equal(ErrorCode.InvalidTarget, Assert.Throws<GatewayException>(() => S3Keys.Validate(key, "")).Error);
    }

    [Fact]
    public void Keys_are_escaped_segment_by_segment_in_a_url_path()
    {
        Assert.Equal("a%20b/c%2Bd/%3F%23", S3Keys.EscapePath("a b/c+d/?#"));
    }

    [Fact]
    public void A_configuration_without_bucket_credentials_or_with_a_part_under_the_minimum_names_each_key()
    {
        var section = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Gateway:Backends:store:Type"] = "s3",
            ["Gateway:Backends:store:ServiceUrl"] = "ftp://x",
            ["Gateway:Backends:store:PartSize"] = MiB.ToString(),
            ["Gateway:Backends:store:KeyPrefix"] = "/abs",
        }).Build().GetSection("Gateway:Backends:store");

        var failures = string.Join("\n", new S3BackendType().ValidateOptions(section, "Gateway:Backends:store"));

        foreach (var key in new[] { "ServiceUrl", "Bucket", "AccessKeyId", "SecretAccessKey", "PartSize", "KeyPrefix" })
        {
            Assert.Contains($"Gateway:Backends:store:{key}", failures);
        }
    }

    [Fact]
    public void Path_style_is_the_default_only_with_a_service_url()
    {
        Assert.True(new S3Options { ServiceUrl = "http://127.0.0.1:7480" }.PathStyle);
        Assert.False(new S3Options().PathStyle);
        Assert.False(new S3Options { ServiceUrl = "http://127.0.0.1:7480", ForcePathStyle = false }.PathStyle);
    }
}
