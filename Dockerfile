# syntax=docker/dockerfile:1
# Build: docker build -t cadencebot .
# Run:   docker run -p 8080:8080 -v cadencebot-data:/data cadencebot
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# Static binary: bbolt and everything else is pure Go.
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/cadencebot ./cmd/cadencebot \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/cadencebot /usr/local/bin/cadencebot
COPY --from=build /src/config.example.toml /etc/cadencebot/config.toml
# The database lives on a volume so it survives container upgrades. The
# directory belongs to the nonroot user (65532) so a fresh named volume,
# which takes the image directory's owner, is writable.
COPY --from=build --chown=65532:65532 /out/data /data
VOLUME ["/data"]
EXPOSE 8080
USER nonroot:nonroot
# Listen on all interfaces inside the container; the dashboard then requires
# CADENCEBOT_DASHBOARD_TOKEN (or _USER/_PASSWORD) and refuses to start without it.
ENTRYPOINT ["/usr/local/bin/cadencebot"]
CMD ["run", "--config", "/etc/cadencebot/config.toml", "--db", "/data/cadencebot.db", "--listen", "0.0.0.0:8080"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/cadencebot", "healthcheck", "--url", "http://127.0.0.1:8080/healthz"]
