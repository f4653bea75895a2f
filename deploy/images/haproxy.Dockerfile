# The compose stack's load balancer where Docker Hub's haproxy image cannot be pulled: Debian's haproxy binary and
# the libraries it links, nothing else (build.sh copies them into the context's rootfs/). Runs as an unprivileged
# user; compose.yaml names its configuration.
FROM scratch
COPY rootfs/ /
USER 65534:65534
ENTRYPOINT ["/usr/sbin/haproxy"]
