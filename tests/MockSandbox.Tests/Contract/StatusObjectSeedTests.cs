using Microsoft.Extensions.Time.Testing;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using MockSandbox.Tests.Support;
using MockSandbox.Uploads;
using TestSupport;

namespace MockSandbox.Tests.Contract;

/// <summary>The status object as the mock writes it, checked field by field against the seed read at run time.</summary>
public sealed partial class StatusObjectSeedTests
{
    [SharedSpecFact]
    public void The_seed_parses_into_the_fields_the_spec_lists_as_required()
    {
        var seed = SeedSchema.Load();
        var spec = File.ReadAllText(SharedSpecs.PathOf("specs/sandbox/SANDBOX-API.md"));
        var line = spec.Split('\n').SkipWhile(l => !l.StartsWith("Required in every response", StringComparison.Ordinal))
            .TakeWhile(l => l.Length > 0).Aggregate("", (all, l) => all + l);
        var specRequired = BacktickedNames().Matches(line).Select(m => m.Groups[1].Value).ToHashSet();

        Assert.Equal(21, seed.Fields.Count);
        Assert.Equal(specRequired, seed.Fields.Where(f => f.Required).Select(f => f.Name).ToHashSet());
    }

    [SharedSpecFact]
    public async Task The_status_object_has_exactly_the_seeds_fields_in_every_state()
    {
        var seed = SeedSchema.Load();
        foreach (var (state, session) in await SessionsInEveryStateAsync())
        {
            Assert.True(seed.Fields.Select(f => f.Name).Order().SequenceEqual(session.EnumerateObject().Select(p => p.Name).Order()),
                $"{state}: fields {string.Join(", ", session.EnumerateObject().Select(p => p.Name))}");
            foreach (var field in seed.Fields.Where(f => f.Required))
            {
                Assert.True(session.GetProperty(field.Name).ValueKind != JsonValueKind.Null, $"{state}: required {field.Name} is null");
            }
        }
    }

    [SharedSpecFact]
    public async Task Every_value_has_the_seeds_type_and_enums_take_only_the_seeds_options()
    {
        var seed = SeedSchema.Load();
        foreach (var (state, session) in await SessionsInEveryStateAsync())
        {
            foreach (var field in seed.Fields)
            {
                var value = session.GetProperty(field.Name);
                if (value.ValueKind == JsonValueKind.Null && !field.Required)
                {
                    continue;
                }
                var where = $"{state}.{field.Name} = {value}";
                switch (field.Type)
                {
                    case "integer<uint64>":
                        Assert.True(value.TryGetUInt64(out _), where);
                        break;
                    case "integer<uint32>":
                        Assert.True(value.TryGetUInt32(out _), where);
                        break;
                    case "string<date-time>":
                        Assert.True(DateTimeOffset.TryParseExact(value.GetString(), "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _), where);
                        break;
                    case "string":
                        Assert.Equal(JsonValueKind.String, value.ValueKind);
                        break;
                    case "object":
                        Assert.Equal(JsonValueKind.Object, value.ValueKind);
                        break;
                    case var enumType when enumType.StartsWith("enum", StringComparison.Ordinal):
                        Assert.Contains(value.GetString(), field.Options);
                        break;
                    default:
                        Assert.Fail($"the seed has a type this test does not know: {field.Type} ({field.Name})");
                        break;
                }
            }
        }
    }

    [SharedSpecFact]
    public void The_mocks_enums_offer_exactly_the_seeds_options()
    {
        var seed = SeedSchema.Load();
        var ours = new Dictionary<string, IEnumerable<string>>
        {
            ["kind"] = WireNames<UploadKind>.Names,
            ["source_kind"] = WireNames<SourceKind>.Names,
            ["status"] = WireNames<UploadStatus>.Names,
            ["conflict"] = WireNames<ConflictPolicy>.Names,
            ["checksum_algorithm"] = WireNames<ChecksumAlgorithm>.Names,
            ["archive_format"] = WireNames<ArchiveFormat>.Names,
        };
        Assert.Equal(ours.Keys.Order(), seed.Fields.Where(f => f.Options.Count > 0).Select(f => f.Name).Order());
        foreach (var (name, names) in ours)
        {
            Assert.Equal(seed[name].Options, names);
        }
    }

    [SharedSpecFact]
    public async Task Limits_hold_the_members_of_the_seeds_example_and_example_fields_are_all_present()
    {
        var seed = SeedSchema.Load();
        var session = (await SessionsInEveryStateAsync())["created"];
        Assert.Equal(
            seed.Example.GetProperty("limits").EnumerateObject().Select(p => p.Name).Order(),
            session.GetProperty("limits").EnumerateObject().Select(p => p.Name).Order());
        foreach (var member in session.GetProperty("limits").EnumerateObject())
        {
            Assert.True(member.Value.TryGetUInt64(out _), member.Name);
        }
        Assert.Subset(session.EnumerateObject().Select(p => p.Name).ToHashSet(), seed.Example.EnumerateObject().Select(p => p.Name).ToHashSet());
    }

    /// <summary>One session in each of the eight statuses (completing is caught while a publish waits).</summary>
    private static async Task<Dictionary<string, JsonElement>> SessionsInEveryStateAsync()
    {
        var clock = Clocks.StartingNow();
        await using var mock = await SandboxMockHost.StartAsync(clock: clock);
        var sessions = new Dictionary<string, JsonElement>();
        var content = TestData.Bytes(110, 0, SandboxMockHost.PartSize + 10);

        var created = await mock.CreateFileSessionAsync(content.Length, "/tmp/created");
        sessions["created"] = created;
        var uploading = await mock.CreateFileSessionAsync(content.Length, "/tmp/uploading");
        sessions["uploading"] = await mock.PutPartOkAsync(uploading.Id(), 1, content.AsMemory(SandboxMockHost.PartSize));
        var staged = await mock.StageAsync(SandboxMockHost.ArchiveBody(0, "/tmp/staged", "merge"), Tars.Build(w => w.File("a", "b")));
        sessions["staged"] = await mock.GetStatusAsync(staged);
        var completed = await mock.StageAsync(SandboxMockHost.FileBody(0, "notes"), content);
        sessions["completed"] = (await mock.CompleteOkAsync(completed)).GetProperty("session");
        var aborted = await mock.CreateFileSessionAsync(content.Length, "/tmp/aborted");
        using (var response = await mock.AbortAsync(aborted.Id()))
        {
            sessions["aborted"] = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        }
        var failed = await mock.StageAsync(SandboxMockHost.FileBody(0, "/tmp/failed"), content);
        (await mock.PostCompleteAsync(failed, new string('0', 64))).Dispose();
        sessions["failed"] = await mock.GetStatusAsync(failed);

        // Completing: hold the sandbox's publish lock, so a complete stops right before publishing.
        var completing = await mock.StageAsync(SandboxMockHost.FileBody(0, "/tmp/completing"), content);
        var sandbox = mock.App.GetRequiredService<MockSandbox.Sandboxes.SandboxRegistry>().Find(SandboxMockHost.SandboxId)!;
        await sandbox.PublishLock.WaitAsync();
        var pending = mock.PostCompleteAsync(completing);
        await Eventually.HoldsAsync(async () => (await mock.GetStatusAsync(completing)).Status() == "completing", "the complete is in progress");
        sessions["completing"] = await mock.GetStatusAsync(completing);
        sandbox.PublishLock.Release();
        (await pending).Dispose();

        clock.Advance(TimeSpan.FromDays(1));
        sessions["expired"] = await mock.GetStatusAsync(created.Id());

        Assert.All(sessions, pair => Assert.Equal(pair.Key, pair.Value.Status()));
        return sessions;
    }

    [GeneratedRegex("`([a-z_]+)`")]
    private static partial Regex BacktickedNames();
}
