# mock-sandbox, the stand-in for the Sandbox API (mock-sandbox/README.md). Build context: its `dotnet publish` output in app/.
# Runs as UID 1654 on a read-only root file system; writable: /var/lib/mock-sandbox (its files) and /tmp.
# Configuration only from environment variables (MockSandbox__ApiKeys__0=…, MockBox__AccessTokens__0=…) and
# files in /run/secrets.
ARG BASE=mcr.microsoft.com/dotnet/aspnet:10.0
FROM ${BASE}
WORKDIR /app
COPY app/ /app/
RUN mkdir -p /var/lib/mock-sandbox && chown 1654:1654 /var/lib/mock-sandbox
# URLS, not the base image's ASPNETCORE_HTTP_PORTS, which the settings file's loopback Urls would override.
ENV URLS=http://+:8080 \
    ASPNETCORE_HTTP_PORTS= \
    SecretsDirectory=/run/secrets \
    MockSandbox__DataDirectory=/var/lib/mock-sandbox
LABEL org.opencontainers.image.title="mock-sandbox" \
      io.upload-gateway.writable-paths="/var/lib/mock-sandbox /tmp"
USER 1654:1654
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -c 12 <&3 | grep -q ' 200'"]
ENTRYPOINT ["dotnet", "/app/MockSandbox.dll"]
