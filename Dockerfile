# syntax=docker/dockerfile:1
# Build: docker build -t batchscoring .     Run: docker compose up (see README, "Docker").

# --- build: the SDK restores (cached while no project file changes) and publishes the executable ---
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY src/BatchScoring.Core/BatchScoring.Core.csproj src/BatchScoring.Core/
COPY src/BatchScoring.Postgres/BatchScoring.Postgres.csproj src/BatchScoring.Postgres/
COPY src/BatchScoring.Models/BatchScoring.Models.csproj src/BatchScoring.Models/
COPY src/BatchScoring.Worker/BatchScoring.Worker.csproj src/BatchScoring.Worker/
RUN dotnet restore src/BatchScoring.Worker/BatchScoring.Worker.csproj
COPY src/ src/
COPY sql/ sql/
COPY jobs/ jobs/
COPY appsettings.json ./
RUN dotnet publish src/BatchScoring.Worker/BatchScoring.Worker.csproj -c Release --no-restore -o /app

# --- runtime: the slim .NET runtime, no SDK, no compiler, running as an unprivileged user ---
FROM mcr.microsoft.com/dotnet/runtime:10.0 AS runtime
# libgomp: OpenMP, which ML.NET's native trainers and LightGBM load.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 batchscoring \
 && useradd --system --uid 10001 --gid batchscoring --home-dir /app --no-create-home --shell /usr/sbin/nologin batchscoring
WORKDIR /app
COPY --from=build /app ./
RUN ln -s /app/batchscoring /usr/local/bin/batchscoring \
 && mkdir -p /app/jobs /app/models \
 && chown batchscoring:batchscoring /app/models
# Metrics and health listen on every interface inside the container; publish the port to the host's loopback only.
ENV Observability__MetricsAddress=http://+:9464 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
EXPOSE 9464
USER batchscoring
ENTRYPOINT ["batchscoring"]
CMD ["worker"]
