using BatchScoring.Core.Jobs;
using BatchScoring.Core.Paths;
using BatchScoring.Core.Scoring;
using BatchScoring.Parquet.Sources;
using BatchScoring.Postgres.Sources;
using BatchScoring.Worker.Hosting;

namespace BatchScoring.Worker.Execution;

/// <summary>The source class behind each kind of source spec.</summary>
internal static class SourceFactory
{
    /// <param name="parquetPaths">The folders a Parquet source may read (<c>Sources:ParquetRoot</c>).</param>
    public static IBatchSource Create(SourceDataSource data, SourceSpec spec, ContainedPaths parquetPaths, SourceLimits? limits = null) => spec switch
    {
        PostgresTableSourceSpec table => PostgresRelationSource.ForTable(data.DataSource, table, limits),
        PostgresQuerySourceSpec query => PostgresRelationSource.ForQuery(data.DataSource, query, limits),
        ParquetSourceSpec parquet => new ParquetSource(parquet, parquetPaths),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec, "Unknown kind of source."),
    };
}
