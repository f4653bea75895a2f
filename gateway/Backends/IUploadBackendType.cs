using Gateway.Sessions;

namespace Gateway.Backends;

/// <summary>
/// A backend plugin: what a <c>Gateway:Backends:&lt;name&gt;</c> entry of its <c>Type</c> is. One folder under
/// <c>Backends/</c> implements it and registers it with one line, <see cref="BackendTypeRegistration.AddUploadBackendType{T}"/>;
/// the registry builds one <see cref="IUploadBackend"/> per configured backend of the type, and nothing else in
/// the gateway names the type (YARP's policies are the model: an interface and a name in DI, chosen by configuration).
/// </summary>
internal interface IUploadBackendType
{
    /// <summary>Its targets, which start-up checks of the fronts' defaults and routes ask too.</summary>
    IBackendTargets Targets { get; }

    /// <summary>Checks of the backend's own settings in its section (beyond the common <see cref="BackendOptions"/>), each naming its key under <paramref name="at"/>.</summary>
    IEnumerable<string> ValidateOptions(IConfigurationSection section, string at);

    /// <summary>The adapter of one configured backend of this type.</summary>
    IUploadBackend Create(BackendContext context);

    /// <summary>
    /// Whether its backends name a <c>ReverseProxy:Clusters</c> entry (<c>Cluster</c>) and carry a <c>Credential</c>,
    /// checked at start-up; false for a type that brings its own cluster and credentials and checks them in
    /// <see cref="ValidateOptions"/> (an object store's URL and keys).
    /// </summary>
    bool UsesConfiguredCluster => true;
}

/// <summary>What the registry hands a backend type to build one configured backend.</summary>
/// <param name="Name">The configured name (<c>Gateway:Backends:&lt;name&gt;</c>).</param>
/// <param name="Type">The type's registered name (<c>Gateway:Backends:&lt;name&gt;:Type</c>).</param>
/// <param name="Section">The backend's configuration section, for the type's own settings.</param>
internal sealed record BackendContext(string Name, string Type, BackendOptions Options, IConfigurationSection Section, BackendHttp Http);

/// <summary>
/// A backend type's targets. The contract's <c>target</c> object (v1) and the fronts' keys (tus metadata over a
/// tenant's defaults, a Box folder route with the file's name) both become an <see cref="UploadTarget"/> here, in
/// the backend's own terms; the core only carries it.
/// </summary>
internal interface IBackendTargets
{
    /// <summary>The members of the contract's <c>target</c> object (<c>GET /v1/backends</c>: <c>target_fields</c>).</summary>
    IReadOnlyList<string> Fields { get; }

    /// <summary>
    /// The keys a front may hand to <see cref="From"/>, lowercase (<c>sandbox_id</c>, <c>directory</c>,
    /// <c>filename</c>, …): tus metadata keys, and the keys of a tenant's front defaults and Box folder routes.
    /// </summary>
    IReadOnlyList<string> Keys { get; }

    /// <summary>The keys of <c>Gateway:Tenants:&lt;name&gt;:Targets</c> this type's targets are confined by.</summary>
    IReadOnlyList<string> RuleKeys { get; }

    /// <summary>Checks and normalizes a target for this backend type; throws the contract's target errors.</summary>
    UploadTarget Validate(UploadTarget target, string kind, string conflict);

    /// <summary>
    /// A target from a front's keys (other keys are ignored: tus metadata is free-form). A key that is missing or
    /// unusable is <c>400 invalid_request</c> naming it (<see cref="TargetKeys"/>); the result is checked by
    /// <see cref="Validate"/> like any other target.
    /// </summary>
    UploadTarget From(IReadOnlyDictionary<string, string> keys);

    /// <summary>
    /// Why this type's backends cannot take <paramref name="name"/> as a file's name (<see cref="TargetKeys.FileName"/>),
    /// or null when they can: a front asks before it builds a target, to answer a bad name in its own words.
    /// </summary>
    string? FileNameProblem(string name) => null;

    /// <summary>The keys a target answers to, the inverse of <see cref="From"/>: what a front reports of where a file landed.</summary>
    IReadOnlyDictionary<string, string> KeysOf(UploadTarget target);

    /// <summary>What of <paramref name="target"/> the tenant's target rules refuse (<c>"sandbox sb_x"</c>), or null when they allow it.</summary>
    string? Refusal(UploadTarget target, IReadOnlyDictionary<string, List<string>> rules);

    /// <summary>
    /// Start-up checks of a front's target template (a tenant's defaults, a folder route): each problem as the key
    /// it concerns and what is wrong. <paramref name="complete"/>: the template with only a file name added must
    /// make a whole target (a folder route), rather than leave keys to the client (defaults).
    /// </summary>
    IEnumerable<(string Key, string Problem)> CheckTemplate(IReadOnlyDictionary<string, string> template, bool complete);

    /// <summary>
    /// An upload token's prefix scope in this type's own terms (README.md, upload tokens: the sandbox's
    /// <c>{"sandbox_id", "path_prefix"}</c>, Box's <c>{"folder_id"}</c>), checked and normalized; null when
    /// <paramref name="candidate"/> is no prefix of this type (it is then minted as an exact target). A type
    /// without prefixes keeps this default: its tokens name exact targets only.
    /// </summary>
    UploadTarget? Prefix(UploadTarget candidate) => null;

    /// <summary>Whether <paramref name="target"/> (normalized by <see cref="Validate"/>) lies inside <paramref name="prefix"/> (from <see cref="Prefix"/>).</summary>
    bool Contains(UploadTarget prefix, UploadTarget target) => false;
}
