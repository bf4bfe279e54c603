# syntax=docker/dockerfile:1
# atoguard in a container: a static binary, git (for --history and --staged)
# and CA certificates (for api.twilio.com), run as a non-root user.
#   docker build -t atoguard .
#   docker run --rm -v "$PWD:/src" atoguard scan --history /src
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
ARG COMMIT=""
ARG DATE=""
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.date=${DATE}" \
      -o /out/atoguard ./cmd/atoguard

FROM alpine:3.22
RUN apk add --no-cache git ca-certificates \
 && adduser -D -H -u 10001 atoguard \
 && git config --system --add safe.directory '*'
COPY --from=build /out/atoguard /usr/local/bin/atoguard
USER 10001:10001
WORKDIR /src
ENTRYPOINT ["/usr/local/bin/atoguard"]
CMD ["--help"]
