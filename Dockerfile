# Build: docker build -t batchscoring .     Run: docker compose up (see README, "Docker").
# SDK_IMAGE and RUNTIME_IMAGE let CI (or an offline site) build through local stand-ins for Microsoft's images.
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:10.0

# --- build: the SDK restores (cached while no project file changes) and publishes the executable ---
FROM ${SDK_IMAGE} AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
# Every project the worker references, or restore fails with NETSDK1004 (assets file not found).
COPY src/BatchScoring.Core/BatchScoring.Core.csproj src/BatchScoring.Core/
COPY src/BatchScoring.Postgres/BatchScoring.Postgres.csproj src/BatchScoring.Postgres/
COPY src/BatchScoring.Models/BatchScoring.Models.csproj src/BatchScoring.Models/
COPY src/BatchScoring.Parquet/BatchScoring.Parquet.csproj src/BatchScoring.Parquet/
COPY src/BatchScoring.Worker/BatchScoring.Worker.csproj src/BatchScoring.Worker/
# linux-x64 only: the publish then carries no native libraries for other platforms.
# PublishReadyToRun at restore too, so the ReadyToRun compiler pack is restored for the --no-restore publish (NETSDK1094);
# the runtime packs come with it, since a publish for a runtime is self-contained (the worker's project file).
RUN dotnet restore src/BatchScoring.Worker/BatchScoring.Worker.csproj -r linux-x64 -p:PublishReadyToRun=true
COPY src/ src/
COPY sql/ sql/
COPY jobs/ jobs/
COPY appsettings.json ./
# Self-contained, the app and the .NET runtime in one composite ReadyToRun image (docs/BENCHMARKS.md "Start-up, fourth round").
RUN dotnet publish src/BatchScoring.Worker/BatchScoring.Worker.csproj -c Release -r linux-x64 --no-restore -p:PublishReadyToRun=true -o /app

# --- runtime: only the native libraries .NET needs (the app brings its runtime, Kestrel for /metrics and /health included), no SDK, no compiler, running as an unprivileged user ---
FROM ${RUNTIME_IMAGE} AS runtime
# libgomp: OpenMP, which ML.NET's native trainers and LightGBM load. curl: the HEALTHCHECK below.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 curl \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 batchscoring \
 && useradd --system --uid 10001 --gid batchscoring --home-dir /app --no-create-home --shell /usr/sbin/nologin batchscoring
WORKDIR /app
COPY --from=build /app ./
# The demo job, so `demo` and `run demo-churn` work in a bare container; compose mounts ./jobs over it.
COPY --from=build /src/jobs/ ./jobs/
RUN ln -s /app/batchscoring /usr/local/bin/batchscoring \
 && mkdir -p /app/models /app/reports \
 && chown batchscoring:batchscoring /app/models /app/reports
# Models are written by `models register` and `demo`, reports by `report` (the working folder): volumes the
# unprivileged user owns.
VOLUME ["/app/models", "/app/reports"]
# Metrics and health listen on every interface inside the container; publish the port to the host's loopback only.
ENV Observability__MetricsAddress=http://+:9464 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 9464
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:9464/health/live || exit 1
USER 10001:10001
WORKDIR /app/reports
ENTRYPOINT ["batchscoring"]
CMD ["worker"]
