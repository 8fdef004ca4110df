# rollbar-deploy image: the GitHub Action, the GitLab CI job image, the Drone/Woodpecker plugin.
#
#   docker build -t rollbar-deploy .
#   docker build --build-arg VERSION=v1.2.3 \
#                --build-arg GO_IMAGE=golang:1.25-alpine --build-arg BASE_IMAGE=busybox:1.37 .
#
# The final image is busybox (a shell for GitLab's `script:`) + CA certificates + one static
# binary + /entrypoint, and runs as root (GitHub runs Docker actions as root on a workspace it
# mounts). It builds with BuildKit, the classic builder (act, the Docker API) and podman/buildah
# alike: no BuildKit-only syntax.

ARG GO_IMAGE=golang:1.25-alpine
ARG BASE_IMAGE=busybox:1.37

FROM ${GO_IMAGE} AS build
ARG VERSION=dev
ARG GOPROXY=https://proxy.golang.org,direct
WORKDIR /src
# CA certificates for the final image: the golang Alpine images ship them; add them if not.
RUN [ -s /etc/ssl/certs/ca-certificates.crt ] || apk add --no-cache ca-certificates
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -buildvcs=false -trimpath \
      -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/rollbar-deploy . \
 && cp entrypoint /out/entrypoint \
 && chmod 0755 /out/rollbar-deploy /out/entrypoint \
 && /out/rollbar-deploy --version

FROM ${BASE_IMAGE}
ARG VERSION=dev
LABEL org.opencontainers.image.title="rollbar-deploy" \
      org.opencontainers.image.description="Records deploys in Rollbar from GitHub Actions, GitLab CI, Drone, Woodpecker, Heroku or a shell" \
      org.opencontainers.image.source="https://github.com/rollbar-deploy/rollbar-deploy" \
      org.opencontainers.image.version="${VERSION}"
# The bundle lives outside /etc/ssl/certs: Go reads SSL_CERT_FILE and then every file of that
# directory, so a bundle inside it is parsed twice (3 ms of each run). A CA added to
# /etc/ssl/certs by a derived image is still trusted.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/cert.pem
COPY --from=build /out/rollbar-deploy /usr/local/bin/rollbar-deploy
COPY --from=build /out/entrypoint /entrypoint
ENV SSL_CERT_FILE=/etc/ssl/cert.pem
USER 0:0
ENTRYPOINT ["/entrypoint"]
