# The upload gateway. Build context: its `dotnet publish` output in app/ (build.sh makes it).
#   docker build -f deploy/images/gateway.Dockerfile --build-arg BASE=mcr.microsoft.com/dotnet/aspnet:10.0 CONTEXT
# Runs as UID 1654 on a read-only root file system; the only writable paths, to mount:
#   /var/lib/gateway/tus   tus staging: ONE volume shared by every replica (docs/tus.md, docs/deploy.md)
#   /tmp                   temp and the Box part spool (a tmpfs or emptyDir of its own per replica)
# Configuration only from environment variables (Gateway__Store__Redis=…) and files in /run/secrets, one
# setting per file named like the variable (a Kubernetes Secret or compose secrets mount as-is).
ARG BASE=mcr.microsoft.com/dotnet/aspnet:10.0
FROM ${BASE}
WORKDIR /app
COPY app/ /app/
RUN mkdir -p /var/lib/gateway/tus && chown 1654:1654 /var/lib/gateway/tus
# The staging folder is one the gateway makes itself (0700) inside the volume: a Kubernetes fsGroup makes a volume's
# root group-writable, and the gateway refuses a staging folder that others could write to (README, "Configuration").
# URLS, not the base image's ASPNETCORE_HTTP_PORTS, which the settings file's loopback Urls would override.
ENV URLS=http://+:8080 \
    ASPNETCORE_HTTP_PORTS= \
    SecretsDirectory=/run/secrets \
    Gateway__Rechunking__StagingDirectory=/var/lib/gateway/tus/staging \
    Gateway__Forwarding__SpoolDirectory=/tmp/gateway-spool
LABEL org.opencontainers.image.title="upload-gateway" \
      io.upload-gateway.writable-paths="/var/lib/gateway/tus /tmp"
USER 1654:1654
EXPOSE 8080
# Liveness only (/healthz): readiness (/readyz) is the load balancer's, and a draining replica must stay "healthy".
# bash's /dev/tcp, as the runtime images have no HTTP client.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -c 12 <&3 | grep -q ' 200'"]
ENTRYPOINT ["dotnet", "/app/Gateway.dll"]
