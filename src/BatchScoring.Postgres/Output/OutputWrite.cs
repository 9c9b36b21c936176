namespace BatchScoring.Postgres.Output;

/// <summary>How one partition writes its output table (see <see cref="OutputWritePath"/>).</summary>
public enum OutputWrite
{
    /// <summary>Binary COPY straight into the table: nothing of the partition can be there yet.</summary>
    Direct,
    /// <summary>Delete the rows the job wrote in the partition's key range and time slice, then COPY straight into the table.</summary>
    Replace,
    /// <summary>Binary COPY straight into the run's own partition of a table partitioned by run (<c>output.replace: run</c>).</summary>
    Run,
    /// <summary>COPY into a temporary staging table, then merge (upsert: <c>ON CONFLICT</c> of the key).</summary>
    Merge,
}
