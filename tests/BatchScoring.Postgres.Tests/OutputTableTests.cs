using BatchScoring.Core.Batches;
using BatchScoring.Core.Errors;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Sql;
using BatchScoring.Postgres.Output;
using BatchScoring.Postgres.Sinks;
using BatchScoring.Testing;
using Dapper;

namespace BatchScoring.Postgres.Tests;

/// <summary>The output table is created with its index and _latest view, an existing one is checked, and a misfit is refused by column.</summary>
public class OutputTableTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly ColumnSchema Key = new("customer_id", ColumnKind.Int64);
    private static readonly ColumnSchema Region = new("region", ColumnKind.Text);
    private static readonly ColumnSchema Score = new("probability", ColumnKind.Float32);

    private static OutputTableSchema Schema(string table, OutputMode mode = OutputMode.Append)
        => new(SqlIdentifier.Parse(table), mode, [Key], [Region], [Score]);

    private static ScoredBatch Batch(long[] ids, float probability, string region = "r1")
    {
        var input = new RowBatch([Key, Region], ids.Length) { Count = ids.Length };
        var outputs = new RowBatch([Score], ids.Length) { Count = ids.Length };
        for (var row = 0; row < ids.Length; row++)
        {
            input.Column<long>("customer_id").Set(row, ids[row]);
            input.Column<string>("region").Set(row, region);
            outputs.Column<float>("probability").Set(row, probability);
        }
        return new ScoredBatch(input, outputs);
    }

    private async Task WriteRunAsync(OutputTableSchema schema, long runId, IEnumerable<long> keys, float probability, bool direct = false)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var writer = await TableSinkWriter.BeginAsync(connection, transaction, schema, new SinkPartition(runId, runId * 10, PartitionBounds.Everything, $"m@{runId}", "job"), direct ? OutputWrite.Direct : OutputWrite.Merge, spooled: false, CancellationToken.None);
        await writer.WriteAsync(Batch(keys.ToArray(), probability, "r" + runId), CancellationToken.None);
        await writer.CompleteAsync(CancellationToken.None);
        await transaction.CommitAsync();
    }

    [Fact]
    public async Task Empty_upsert_tables_and_append_tables_are_written_directly_and_a_direct_write_never_overwrites_a_key()
    {
        var upsert = Schema("scored.direct_upsert", OutputMode.Upsert);
        Assert.True((await upsert.EnsureAsync(database.DataSource, CancellationToken.None)).Direct);
        await WriteRunAsync(upsert, 1, [1, 2], 0.1f, direct: true);
        Assert.False((await upsert.EnsureAsync(database.DataSource, CancellationToken.None)).Direct);

        var conflict = await Assert.ThrowsAsync<OutputKeyConflictException>(() => WriteRunAsync(upsert, 2, [2, 3], 0.2f, direct: true));
        Assert.Contains("scored.direct_upsert", conflict.Message);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        Assert.Equal([(1L, 1L), (2L, 1L)], await connection.QueryAsync<(long, long)>("SELECT customer_id, run_id FROM scored.direct_upsert ORDER BY 1"));

        await WriteRunAsync(upsert, 2, [2, 3], 0.2f, direct: false);
        Assert.Equal([(1L, 1L), (2L, 2L), (3L, 2L)], await connection.QueryAsync<(long, long)>("SELECT customer_id, run_id FROM scored.direct_upsert ORDER BY 1"));

        var append = Schema("scored.direct_append");
        await append.EnsureAsync(database.DataSource, CancellationToken.None);
        await WriteRunAsync(append, 1, [1, 2], 0.1f, direct: true);
        Assert.True((await append.EnsureAsync(database.DataSource, CancellationToken.None)).Direct);
        await WriteRunAsync(append, 1, [1, 2, 3], 0.3f, direct: true);
        Assert.Equal([(1L, 0.3f), (2L, 0.3f), (3L, 0.3f)],
            await connection.QueryAsync<(long, float)>("SELECT customer_id, probability FROM scored.direct_append ORDER BY 1"));
    }

    [Fact]
    public async Task A_created_output_table_its_view_and_every_column_carry_a_comment()
    {
        var output = Schema("scored.commented", OutputMode.Upsert);
        await output.EnsureAsync(database.DataSource, CancellationToken.None);
        await using var connection = await database.DataSource.OpenConnectionAsync();

        var uncommented = (await connection.QueryAsync<string>("""
            SELECT c.relname || coalesce('.' || a.attname, '')
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
            WHERE n.nspname = 'scored' AND c.relname IN ('commented', 'commented_latest')
              AND (obj_description(c.oid, 'pg_class') IS NULL OR (a.attnum IS NOT NULL AND col_description(c.oid, a.attnum) IS NULL))
            """)).ToList();

        Assert.Empty(uncommented);
        Assert.Equal("The run that wrote the row (scoring.runs.run_id)", await connection.ExecuteScalarAsync<string>(
            "SELECT col_description('scored.commented'::regclass, (SELECT attnum FROM pg_attribute WHERE attrelid = 'scored.commented'::regclass AND attname = 'run_id'))"));
    }

    [Fact]
    public async Task A_spooled_table_is_written_in_the_same_transaction_while_another_copy_holds_the_connection()
    {
        var output = Schema("scored.paired", OutputMode.Upsert);
        var shadow = Schema("shadow.paired", OutputMode.Upsert);
        await output.EnsureAsync(database.DataSource, CancellationToken.None);
        await shadow.EnsureAsync(database.DataSource, CancellationToken.None);
        var batch = Batch([1, 2, 3], 0.5f);
        await using var connection = await database.DataSource.OpenConnectionAsync();

        // Rolled back after a direct COPY; committed after a merge, whose staging table must not collide with the spooled one's.
        foreach (var (commit, direct) in new[] { (false, true), (true, false) })
        {
            await using var transaction = await connection.BeginTransactionAsync();
            var partition = new SinkPartition(1, 10, PartitionBounds.Everything, "m@1", "job");
            await using var spooled = await TableSinkWriter.BeginAsync(connection, transaction, shadow, partition, OutputWrite.Merge, spooled: true, CancellationToken.None);
            await using var streamed = await TableSinkWriter.BeginAsync(connection, transaction, output, partition, direct ? OutputWrite.Direct : OutputWrite.Merge, spooled: false, CancellationToken.None);
            await streamed.WriteAsync(batch, CancellationToken.None);
            await spooled.WriteAsync(batch, CancellationToken.None);
            Assert.Equal(3, await streamed.CompleteAsync(CancellationToken.None));
            Assert.Equal(3, await spooled.CompleteAsync(CancellationToken.None));
            if (commit)
                await transaction.CommitAsync();
            else
                await transaction.RollbackAsync();
            var expected = commit ? 3 : 0;
            Assert.Equal((expected, expected), (await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.paired"),
                await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM shadow.paired")));
        }
    }

    [Fact]
    public async Task An_append_table_is_created_with_an_analyst_index_and_a_latest_view_with_one_row_per_key()
    {
        var schema = Schema("scored.churn_history");
        await schema.EnsureAsync(database.DataSource, CancellationToken.None);
        await WriteRunAsync(schema, 1, [1, 2, 3], 0.1f);
        await WriteRunAsync(schema, 2, [2, 3], 0.2f);
        await WriteRunAsync(schema, 3, [3, 4], 0.3f);

        await using var connection = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(7, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM scored.churn_history"));
        var latest = (await connection.QueryAsync<(long Key, long Run, float Probability, string Region)>(
            "SELECT customer_id, run_id, probability, region FROM scored.churn_history_latest ORDER BY customer_id")).ToArray();
        Assert.Equal([(1L, 1L, 0.1f, "r1"), (2L, 2L, 0.2f, "r2"), (3L, 3L, 0.3f, "r3"), (4L, 3L, 0.3f, "r3")], latest);

        var indexes = (await connection.QueryAsync<string>(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'scored' AND tablename = 'churn_history'")).ToArray();
        Assert.Contains(indexes, d => d.StartsWith("CREATE UNIQUE INDEX churn_history_run_key", StringComparison.Ordinal) && d.Contains("(customer_id, run_id)"));
        Assert.Contains(indexes, d => d.Contains("(run_id, partition_id)"));
    }

    [Fact]
    public async Task An_upsert_table_keeps_one_row_per_key_and_its_view_matches()
    {
        var schema = Schema("churn_current", OutputMode.Upsert);
        await schema.EnsureAsync(database.DataSource, CancellationToken.None);
        await WriteRunAsync(schema, 1, [1, 2], 0.1f);
        await WriteRunAsync(schema, 2, [2], 0.2f);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        var table = await connection.QueryAsync<(long, long)>("SELECT customer_id, run_id FROM churn_current ORDER BY 1");
        var view = await connection.QueryAsync<(long, long)>("SELECT customer_id, run_id FROM churn_current_latest ORDER BY 1");
        Assert.Equal([(1L, 1L), (2L, 2L)], table);
        Assert.Equal(table, view);
        Assert.Contains(await connection.QueryAsync<string>("SELECT indexdef FROM pg_indexes WHERE tablename = 'churn_current'"), d => d.Contains("(scored_at)"));
    }

    [Fact]
    public async Task An_existing_table_that_fits_is_used_and_gets_its_view()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            CREATE TABLE analyst_made (
                customer_id bigint NOT NULL, region text, probability real, model_version text NOT NULL, run_id bigint NOT NULL,
                partition_id bigint NOT NULL, scored_at timestamptz NOT NULL, note text DEFAULT 'kept', extra integer)
            """);
        var schema = Schema("analyst_made");
        await schema.EnsureAsync(database.DataSource, CancellationToken.None);
        await schema.EnsureAsync(database.DataSource, CancellationToken.None);
        await WriteRunAsync(schema, 5, [9], 0.5f);
        Assert.Equal("kept", await connection.ExecuteScalarAsync<string>("SELECT note FROM analyst_made_latest WHERE customer_id = 9"));
    }

    [Theory]
    [InlineData("customer_id bigint, region text, model_version text, run_id bigint, partition_id bigint, scored_at timestamptz",
        "has no column 'probability' (real)")]
    [InlineData("customer_id bigint, region text, probability text, model_version text, run_id bigint, partition_id bigint, scored_at timestamptz",
        "column 'probability' is text but the job writes real")]
    [InlineData("customer_id bigint, region text, probability real, model_version text, run_id bigint, partition_id bigint, scored_at timestamptz, owner text NOT NULL",
        "column 'owner' is NOT NULL without a default")]
    [InlineData("customer_id bigint, region text, probability real, model_version text, run_id bigint, partition_id bigint, scored_at timestamptz",
        "no primary key or unique index on (customer_id)", OutputMode.Upsert)]
    public async Task An_existing_table_that_does_not_fit_is_refused_naming_the_column(string columns, string expected, OutputMode mode = OutputMode.Append)
    {
        var table = "misfit_" + Guid.NewGuid().ToString("N")[..8];
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync($"CREATE TABLE {table} ({columns})");
        var e = await Assert.ThrowsAsync<SchemaMismatchException>(() => Schema(table, mode).EnsureAsync(database.DataSource, CancellationToken.None));
        Assert.Contains(table, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task A_table_created_before_job_name_window_start_and_input_fingerprint_gets_them_on_first_use_with_comments_and_keeps_its_rows()
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            CREATE SCHEMA IF NOT EXISTS scored;
            CREATE TABLE scored.old_layout (customer_id bigint PRIMARY KEY, region text, probability real,
                model_version text NOT NULL, run_id bigint NOT NULL, partition_id bigint NOT NULL, scored_at timestamptz NOT NULL);
            CREATE VIEW scored.old_layout_latest AS SELECT DISTINCT ON (customer_id) * FROM scored.old_layout ORDER BY customer_id, scored_at DESC, run_id DESC;
            INSERT INTO scored.old_layout VALUES (1, 'r0', 0.5, 'm@0', 7, 70, now());
            """);
        var schema = Schema("scored.old_layout", OutputMode.Upsert);
        await schema.CheckAsync(database.DataSource, CancellationToken.None);
        await schema.EnsureAsync(database.DataSource, CancellationToken.None);

        var day = new DateTime(2026, 9, 1, 0, 0, 0, DateTimeKind.Utc);
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await using var writer = await TableSinkWriter.BeginAsync(connection, transaction, schema,
                new SinkPartition(8, 80, new PartitionBounds { WindowStart = day, WindowEnd = day.AddDays(1) }, "m@1", "churn"), OutputWrite.Merge, spooled: false, CancellationToken.None);
            await writer.WriteAsync(Batch([2], 0.25f), CancellationToken.None);
            await writer.CompleteAsync(CancellationToken.None);
            await transaction.CommitAsync();
        }
        Assert.Equal([(1L, (string?)null, (DateTime?)null), (2L, "churn", day)],
            await connection.QueryAsync<(long, string?, DateTime?)>("SELECT customer_id, job_name, window_start FROM scored.old_layout_latest ORDER BY 1"));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM pg_attribute
            WHERE attrelid IN ('scored.old_layout'::regclass, 'scored.old_layout_latest'::regclass)
              AND attname IN ('job_name', 'window_start', 'input_fingerprint') AND col_description(attrelid, attnum) IS NULL
            """));
        Assert.Equal(6, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM pg_attribute WHERE attrelid IN ('scored.old_layout'::regclass, 'scored.old_layout_latest'::regclass) AND attname IN ('job_name', 'window_start', 'input_fingerprint')"));
    }

    [Fact]
    public void A_job_output_resolves_keys_and_passthrough_from_the_source_and_refuses_unknown_names()
    {
        ColumnSchema[] source = [Key, Region, new("tenure", ColumnKind.Int32)];
        JobSpec Job(params string[] passthrough) => new()
        {
            Name = "churn",
            FilePath = "jobs/churn.yaml",
            Source = new PostgresTableSourceSpec(SqlIdentifier.Parse("customers"), ["customer_id"]),
            Model = new ModelSpec(ModelReference.File("m.zip")),
            Output = new OutputSpec { Table = SqlIdentifier.Parse("scored.churn"), Passthrough = passthrough },
        };
        var schema = OutputTableSchema.ForJob(Job("region"), Job("region").Output.Table!, source, [Score]);
        Assert.Equal(["customer_id", "region", "probability", "model_version", "run_id", "partition_id", "scored_at", "job_name", "window_start", "input_fingerprint"], schema.AllColumns.Select(c => c.Name));
        var e = Assert.Throws<SchemaMismatchException>(() => OutputTableSchema.ForJob(Job("regoin"), Job("regoin").Output.Table!, source, [Score]));
        Assert.Contains("passthrough column 'regoin'", e.Message);
        Assert.Contains("churn", e.Message);
    }
}
