# The local stand-in for mcr.microsoft.com/dotnet/aspnet:10.0 where no registry is reachable: the same layout
# (the runtime in /usr/share/dotnet, `dotnet` on the PATH, user `app` with UID 1654, port 8080), so the service
# images build unchanged on either. Built by build.sh from a debootstrap minbase of Debian's packages (with the
# libraries the runtime needs: ICU, OpenSSL, CA certificates, tzdata) and this machine's own .NET runtime.
ARG OS=local/debian:bookworm-minbase
FROM ${OS}
COPY dotnet/ /usr/share/dotnet/
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
 && echo 'app:x:1654:1654:app:/home/app:/usr/sbin/nologin' >>/etc/passwd \
 && echo 'app:x:1654:' >>/etc/group \
 && echo 'app:!:20000:0:99999:7:::' >>/etc/shadow \
 && mkdir -p /home/app && chown 1654:1654 /home/app
ENV APP_UID=1654 \
    ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_RUNNING_IN_CONTAINER=true
