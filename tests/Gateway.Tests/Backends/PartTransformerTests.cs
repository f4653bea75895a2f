using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Security.Cryptography;
using Gateway.Backends;
using Gateway.Backends.Box;
using Gateway.Backends.Sandbox;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Gateway.Tests.Backends;

/// <summary>
/// The part request each backend adapter shapes, as YARP tests its transformers: a <see cref="DefaultHttpContext"/>
/// forwarded by the real <see cref="IHttpForwarder"/> to a fake <see cref="HttpMessageHandler"/> that records
/// what left the gateway and answers like the backend.
/// </summary>
public sealed class PartTransformerTests
{
    private const string Credential = "backend-secret";
    private static readonly byte[] Part = RandomNumberGenerator.GetBytes(1000);

    [Fact]
    public async Task A_sandbox_part_goes_to_its_zero_based_path_with_the_backend_credential_and_its_SHA_256()
    {
        var sha256 = SHA256.HashData(Part);
        var transformer = new SandboxPartTransformer(Part.Length, Http(), "v1/sandboxes/sb_a/uploads/u1/parts/0", sha256);

        var (sent, body) = await ForwardAsync(transformer, """{"session":{}}""");

        Assert.Equal(HttpMethod.Put, sent.Method);
        Assert.Equal("http://backend.test/base/v1/sandboxes/sb_a/uploads/u1/parts/0", sent.RequestUri!.ToString());
        Assert.Equal($"Bearer {Credential}", sent.Headers.Authorization!.ToString());
        Assert.Equal(Convert.ToHexStringLower(sha256), Assert.Single(sent.Headers.GetValues(SandboxBackend.PartDigestHeader)));
        Assert.Equal(Part.Length, sent.Content!.Headers.ContentLength);
        Assert.Equal("application/octet-stream", sent.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Part, body);
        Assert.Equal(200, transformer.Response!.Status);
    }

    [Fact]
    public async Task A_box_part_goes_to_the_session_endpoint_with_its_range_and_SHA_1_digest()
    {
        var sha1 = SHA1.HashData(Part);
        var uploadPart = new Uri("http://upload.box.test/api/2.0/files/upload_sessions/ABC");
        var transformer = new BoxPartTransformer(Part.Length, Http(), uploadPart, offset: 2000, total: 5000, sha1);

        var (sent, body) = await ForwardAsync(transformer, """{"part":{}}""");

        Assert.Equal(uploadPart, sent.RequestUri);
        Assert.Equal($"Bearer {Credential}", sent.Headers.Authorization!.ToString());
        Assert.Equal("bytes 2000-2999/5000", sent.Content!.Headers.ContentRange!.ToString());
        Assert.Equal("sha=" + Convert.ToBase64String(sha1), Assert.Single(sent.Headers.GetValues(BoxBackend.DigestHeader)));
        Assert.Equal(Part, body);
    }

    [Fact]
    public async Task None_of_the_client_s_headers_reach_the_backend_and_its_answer_stays_with_the_gateway()
    {
        var transformer = new SandboxPartTransformer(Part.Length, Http(), "parts/0", null);

        var (sent, _) = await ForwardAsync(transformer, """{"answer":"kept"}""", context =>
        {
            context.Request.Headers.Authorization = "Bearer the-client-s-gateway-key";
            context.Request.Headers["Cookie"] = "session=1";
            context.Request.Headers["X-Forwarded-For"] = "10.0.0.1";
        });

        Assert.Equal($"Bearer {Credential}", sent.Headers.Authorization!.ToString());
        Assert.False(sent.Headers.Contains("Cookie"));
        Assert.False(sent.Headers.Contains("X-Forwarded-For"));
        Assert.False(sent.Headers.Contains(SandboxBackend.PartDigestHeader));
        Assert.Equal("""{"answer":"kept"}""", System.Text.Encoding.UTF8.GetString(transformer.Response!.Body));
    }

    /// <summary>Forwards <see cref="Part"/> through YARP with the transformer; the handler answers 200 with <paramref name="answer"/>.</summary>
    private static async Task<(HttpRequestMessage Sent, byte[] Body)> ForwardAsync(PartTransformer transformer, string answer, Action<HttpContext>? client = null)
    {
        using var services = new ServiceCollection().AddLogging().AddHttpForwarder().BuildServiceProvider();
        var forwarder = services.GetRequiredService<IHttpForwarder>();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = "PUT";
        context.Request.Path = "/v1/uploads/up_x/parts/1";
        context.Request.ContentLength = Part.Length;
        context.Request.Body = new MemoryStream(Part);
        context.Features.Set<IHttpRequestBodyDetectionFeature>(new BodyDetection());
        client?.Invoke(context);
        var handler = new RecordingHandler(answer);

        var error = await forwarder.SendAsync(context, "http://backend.test/base/", new HttpMessageInvoker(handler), ForwarderRequestConfig.Empty, transformer);

        Assert.Equal(ForwarderError.None, error);
        Assert.Equal(0, context.Response.Body.Length);
        return (handler.Sent!, handler.Body!);
    }

    // The transformers only shape the part request: the control-plane client factory is never asked for a client.
    private static BackendHttp Http() =>
        new("sandbox", new BackendCluster("cluster", new NoProxyState(), []), new BackendOptions { Type = "sandbox", Cluster = "cluster", Credential = Credential },
            new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>());

    private sealed class RecordingHandler(string answer) : HttpMessageHandler
    {
        public HttpRequestMessage? Sent { get; private set; }

        public byte[]? Body { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Sent = request;
            Body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer) };
        }
    }

    private sealed class BodyDetection : IHttpRequestBodyDetectionFeature
    {
        public bool CanHaveBody => true;
    }

    /// <summary>The transformers never look a cluster up; their credential comes from the backend's options.</summary>
    private sealed class NoProxyState : IProxyStateLookup
    {
        public bool TryGetRoute(string id, [NotNullWhen(true)] out RouteModel? route) => (route = null) is not null;

        public IEnumerable<RouteModel> GetRoutes() => [];

        public bool TryGetCluster(string id, [NotNullWhen(true)] out ClusterState? cluster) => (cluster = null) is not null;

        public IEnumerable<ClusterState> GetClusters() => [];
    }
}
