using BatchScoring.Core.Batches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Sql;
using BatchScoring.Core.Synthetic;
using BatchScoring.Models.MlNet;
using BatchScoring.Postgres.Sources;
using Npgsql;

namespace BatchScoring.Benchmarks;

/// <summary>
/// The pipeline's read and score stages alone, on one thread each, with the pipeline's own code
/// (the table source's binary COPY into batches; binding and the isolating ML.NET scorer): which
/// stage holds a partition back.
/// </summary>
public static class StageProbe
{
    public const int BatchSize = 8192;

    public static async Task<Timed> ReadAsync(NpgsqlDataSource dataSource, string table)
    {
        var meter = MachineCpu.Start();
        long rows = 0;
        await foreach (var batch in ReadTableAsync(dataSource, table))
            rows += batch.Count;
        return meter.Stop();
    }

    /// <summary>The key and the model's features of every row, as the pipeline's table source reads them.</summary>
    public static async IAsyncEnumerable<RowBatch> ReadTableAsync(NpgsqlDataSource dataSource, string table)
    {
        var source = PostgresRelationSource.ForTable(dataSource, new PostgresTableSourceSpec(SqlIdentifier.Parse(table), [SyntheticChurnData.KeyColumn]));
        var wanted = new HashSet<string>([SyntheticChurnData.KeyColumn, .. SyntheticChurnData.NumericFeatures, .. SyntheticChurnData.CategoricalFeatures]);
        var columns = (await source.DescribeAsync(CancellationToken.None)).Where(c => wanted.Contains(c.Name)).ToArray();
        await foreach (var batch in source.ReadAsync(columns, PartitionBounds.Everything, BatchSize, CancellationToken.None))
            yield return batch;
    }

    public static Timed Score(string modelFile, long rows, bool compileTrees)
    {
        var model = MlNetScorer.Load(modelFile, compileTrees);
        var scorer = new IsolatingScorer(model);
        var batches = SyntheticChurnData.Generate(rows, seed: 42, batchSize: BatchSize).ToList();
        var meter = MachineCpu.Start();
        foreach (var batch in batches)
            scorer.Score(InputBinder.ForModel(batch, model.Inputs, null));
        return meter.Stop();
    }
}
