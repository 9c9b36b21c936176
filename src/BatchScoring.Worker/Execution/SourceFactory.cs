using BatchScoring.Core.Jobs;
using BatchScoring.Core.Paths;
using BatchScoring.Core.Scoring;
using BatchScoring.Parquet.Sources;
using BatchScoring.Postgres.Sources;
using Npgsql;

namespace BatchScoring.Worker.Execution;

/// <summary>The source class behind each kind of source spec.</summary>
internal static class SourceFactory
{
    /// <param name="parquetPaths">The folders a Parquet source may read (<c>Sources:ParquetRoot</c>).</param>
    public static IBatchSource Create(NpgsqlDataSource dataSource, SourceSpec spec, ContainedPaths parquetPaths, SourceLimits? limits = null) => spec switch
    {
        PostgresTableSourceSpec table => PostgresRelationSource.ForTable(dataSource, table, limits),
        PostgresQuerySourceSpec query => PostgresRelationSource.ForQuery(dataSource, query, limits),
        ParquetSourceSpec parquet => new ParquetSource(parquet, parquetPaths),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec, "Unknown kind of source."),
    };
}
