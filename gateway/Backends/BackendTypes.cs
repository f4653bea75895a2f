namespace Gateway.Backends;

/// <summary>The registered backend types by their configuration name (<c>Gateway:Backends:&lt;name&gt;:Type</c>).</summary>
internal sealed class BackendTypes(IServiceProvider services, IEnumerable<BackendTypes.Registration> registrations)
{
    private readonly Dictionary<string, IUploadBackendType> _types =
        registrations.ToDictionary(r => r.Type, r => services.GetRequiredKeyedService<IUploadBackendType>(r.Type), StringComparer.Ordinal);

    /// <summary>The registered names, sorted, for messages.</summary>
    public IReadOnlyList<string> Names => [.. _types.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Every type's tenant target rule keys (<c>Gateway:Tenants:&lt;name&gt;:Targets</c>).</summary>
    public IReadOnlyList<string> RuleKeys => [.. _types.Values.SelectMany(t => t.Targets.RuleKeys).Distinct(StringComparer.OrdinalIgnoreCase)];

    public bool TryGet(string type, out IUploadBackendType backendType) => _types.TryGetValue(type, out backendType!);

    /// <summary>One registered type's name.</summary>
    internal sealed record Registration(string Type);
}

internal static class BackendTypeRegistration
{
    /// <summary>
    /// Registers a backend plugin under its configuration <paramref name="type"/>: the one line a backend's folder
    /// adds to the gateway's wiring (or a test host to its own).
    /// </summary>
    public static IServiceCollection AddUploadBackendType<T>(this IServiceCollection services, string type) where T : class, IUploadBackendType
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        services.AddKeyedSingleton<IUploadBackendType, T>(type);
        services.AddSingleton(new BackendTypes.Registration(type));
        return services;
    }
}
