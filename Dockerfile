# Multi-stage build: a static commentd binary on a small non-root image.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/commentd ./cmd/commentd && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /app
COPY --from=build /out/commentd /app/commentd
COPY configs/commentd.yaml /app/configs/commentd.yaml
COPY --from=build --chown=nonroot:nonroot /out/data /var/lib/commentd
ENV COMMENTD_ADDR=0.0.0.0:8080 \
    COMMENTD_DATABASE_URL=sqlite:///var/lib/commentd/commentd.db
VOLUME ["/var/lib/commentd"]
EXPOSE 8080
USER nonroot:nonroot
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s CMD ["/app/commentd", "healthcheck"]
ENTRYPOINT ["/app/commentd"]
CMD ["serve"]
