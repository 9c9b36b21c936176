using BatchScoring.Core.Batches;
using BatchScoring.Core.Jobs;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Sql;
using BatchScoring.Postgres.Sources;
using BatchScoring.Testing;
using Dapper;

namespace BatchScoring.Postgres.Tests.Sources;

/// <summary>
/// A partition read of a table (<see cref="IPartitionRead"/>) marks where the table stood, and a later read reads only
/// the rows written since that mark (by their <c>xmin</c>), every key, and the rows of keys it is asked for.
/// </summary>
[Collection(NoConcurrentWriters.Name)]
public class ChangedRowsReadTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly ColumnSchema[] Columns = [new("customer_id", ColumnKind.Int64), new("tenure", ColumnKind.Int32)];
    private static readonly PartitionBounds Range = PartitionBounds.Everything with { KeyRange = 0, KeyRanges = 2, KeyFrom = 1, KeyTo = 1001, InKeyOrder = true };

    private async Task<PostgresRelationSource> TableAsync(string table, string create = "customer_id bigint PRIMARY KEY, tenure integer")
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync($"""
            CREATE TABLE public.{table} ({create});
            INSERT INTO public.{table} (customer_id, tenure) SELECT k, k % 70 FROM generate_series(1, 2000) k;
            """);
        return PostgresRelationSource.ForTable(database.DataSource, new PostgresTableSourceSpec(SqlIdentifier.Parse($"public.{table}"), ["customer_id"]));
    }

    private static async Task<ReadMark?> MarkAsync(IChangeTrackingSource source, long salt = 7, IReadOnlyList<ColumnSchema>? columns = null)
    {
        await using var read = await source.BeginReadAsync(columns ?? Columns, Range, salt, CancellationToken.None);
        return read.Mark;
    }

    private static async Task<List<(long Key, int Tenure)>> RowsAsync(IAsyncEnumerable<RowBatch> batches)
    {
        var rows = new List<(long, int)>();
        await foreach (var batch in batches)
            for (var row = 0; row < batch.Count; row++)
                rows.Add((batch.Column<long>("customer_id").Values[row], batch.Column<int>("tenure").Values[row]));
        return rows;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(sql);
    }

    [Fact]
    public async Task A_later_read_gets_every_key_but_only_the_rows_written_since_and_the_rows_it_asks_for()
    {
        var source = await TableAsync("changed_rows");
        await ExecuteAsync("DELETE FROM public.changed_rows WHERE customer_id = 999");
        var since = await MarkAsync(source);
        Assert.NotNull(since);
        await ExecuteAsync("""
            UPDATE public.changed_rows SET tenure = tenure + 1 WHERE customer_id IN (10, 500, 1500);
            DELETE FROM public.changed_rows WHERE customer_id = 20;
            INSERT INTO public.changed_rows VALUES (0, 1), (999, 5);
            UPDATE public.changed_rows SET tenure = tenure WHERE customer_id = 30;
            """);

        await using var read = await source.BeginReadAsync(Columns, Range, 7, CancellationToken.None);
        Assert.True(read.CanReadChangedSince(since));
        var keys = await read.KeysAsync(CancellationToken.None);
        var changed = await RowsAsync(read.ReadChangedAsync(since, [2, 3], 100, CancellationToken.None));

        Assert.Equal(Enumerable.Range(1, 1000).Where(k => k != 20).Select(k => (long)k), keys);
        Assert.Equal([(2, 2), (3, 3), (10, 11), (30, 30), (500, 11), (999, 5)], changed);
        Assert.Equal(999, (await RowsAsync(read.ReadAsync(100, CancellationToken.None))).Count);
    }

    [Fact]
    public async Task Nothing_written_since_reads_no_row()
    {
        var source = await TableAsync("changed_none");
        var since = (await MarkAsync(source))!;
        await ExecuteAsync("UPDATE public.changed_none SET tenure = 0 WHERE customer_id > 1000");
        await ExecuteAsync("VACUUM (FREEZE) public.changed_none");

        await using var read = await source.BeginReadAsync(Columns, Range, 7, CancellationToken.None);
        Assert.True(read.CanReadChangedSince(since));
        Assert.Empty(await RowsAsync(read.ReadChangedAsync(since, [], 100, CancellationToken.None)));
    }

    [Theory]
    [InlineData("VACUUM FULL public.{0}")]
    [InlineData("ALTER TABLE public.{0} DROP COLUMN tenure; ALTER TABLE public.{0} ADD COLUMN tenure integer DEFAULT 3")]
    [InlineData("ALTER TABLE public.{0} ALTER COLUMN tenure TYPE bigint")]
    [InlineData("TRUNCATE public.{0}")]
    public async Task A_rewritten_table_or_a_column_added_again_is_read_whole(string change)
    {
        var table = "changed_ddl_" + Math.Abs(change.GetHashCode(StringComparison.Ordinal));
        var source = await TableAsync(table);
        var since = (await MarkAsync(source))!;
        await ExecuteAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, change, table));

        await using var read = await source.BeginReadAsync(Columns, Range, 7, CancellationToken.None);
        Assert.False(read.CanReadChangedSince(since));
    }

    [Fact]
    public async Task Another_salt_columns_or_partition_or_a_mark_from_too_many_transactions_ago_is_read_whole()
    {
        var source = await TableAsync("changed_identity");
        var since = (await MarkAsync(source))!;

        await using var read = await source.BeginReadAsync(Columns, Range, 7, CancellationToken.None);
        Assert.True(read.CanReadChangedSince(since));
        Assert.False(read.CanReadChangedSince(since with { Transaction = since.Transaction - (1L << 30) }));
        Assert.False(read.CanReadChangedSince(since with { Transaction = since.Transaction + 1_000_000 }));
        Assert.NotEqual(since.Identity, (await MarkAsync(source, salt: 8))!.Identity);
        Assert.NotEqual(since.Identity, (await MarkAsync(source, columns: Columns[..1]))!.Identity);
        await using var other = await source.BeginReadAsync(Columns, Range with { KeyFrom = 2 }, 7, CancellationToken.None);
        Assert.False(other.CanReadChangedSince(since));
    }

    [Theory]
    [InlineData("customer_id bigint, tenure integer")]
    [InlineData("customer_id bigint UNIQUE, tenure integer")]
    [InlineData("customer_id bigint NOT NULL, tenure integer, UNIQUE (customer_id, tenure)")]
    public async Task A_table_whose_key_may_repeat_or_be_null_gives_no_mark(string create)
    {
        var source = await TableAsync("changed_key_" + Math.Abs(create.GetHashCode(StringComparison.Ordinal)), create);
        Assert.Null(await MarkAsync(source));
    }

    [Fact]
    public async Task A_query_a_view_a_partitioned_or_an_inherited_table_gives_no_mark()
    {
        await TableAsync("changed_base");
        await ExecuteAsync("""
            CREATE VIEW public.changed_view AS SELECT * FROM public.changed_base;
            CREATE TABLE public.changed_parted (customer_id bigint PRIMARY KEY, tenure integer) PARTITION BY RANGE (customer_id);
            CREATE TABLE public.changed_part PARTITION OF public.changed_parted FOR VALUES FROM (0) TO (10000);
            CREATE TABLE public.changed_parent (customer_id bigint PRIMARY KEY, tenure integer);
            CREATE TABLE public.changed_child () INHERITS (public.changed_parent);
            """);
        IChangeTrackingSource[] sources =
        [
            PostgresRelationSource.ForQuery(database.DataSource, new PostgresQuerySourceSpec("SELECT * FROM public.changed_base", ["customer_id"])),
            .. ((string[])["changed_view", "changed_parted", "changed_parent"]).Select(t =>
                PostgresRelationSource.ForTable(database.DataSource, new PostgresTableSourceSpec(SqlIdentifier.Parse($"public.{t}"), ["customer_id"]))),
        ];
        foreach (var source in sources)
            Assert.Null(await MarkAsync(source));
    }
}
