using System.Globalization;
using BatchScoring.Core.Batches;

namespace BatchScoring.Parquet.Sources;

/// <summary>
/// The columns that Hive-style folders add: a folder name is a column, typed as a date when every value
/// is <c>yyyy-MM-dd</c>, as a bigint when every value is an integer, and as text otherwise.
/// </summary>
public static class HiveColumns
{
    public static IReadOnlyList<ColumnSchema> Infer(IReadOnlyList<ParquetDataFile> files)
    {
        var names = files.SelectMany(f => f.HiveValues.Select(v => v.Key)).Distinct(StringComparer.Ordinal).ToArray();
        return names.Select(name =>
        {
            var values = files.SelectMany(f => f.HiveValues.Where(v => v.Key == name).Select(v => v.Value)).ToArray();
            var kind = values.All(v => TryDate(v, out _)) ? ColumnKind.Date
                : values.All(v => long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) ? ColumnKind.Int64
                : ColumnKind.Text;
            return new ColumnSchema(name, kind, $"hive folder ({kind.ToString().ToLowerInvariant()})");
        }).ToArray();
    }

    /// <summary>Fills rows [0, count) of <paramref name="column"/> with a file's folder value (null when the file has none).</summary>
    public static void Fill(BatchColumn column, string? value, int count)
    {
        for (var row = 0; row < count; row++)
        {
            switch (column)
            {
                case BatchColumn<DateOnly> dates when value is not null && TryDate(value, out var date):
                    dates.Set(row, date);
                    break;
                case BatchColumn<long> longs when value is not null:
                    longs.Set(row, long.Parse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture));
                    break;
                case BatchColumn<string> texts when value is not null:
                    texts.Set(row, value);
                    break;
                default:
                    column.Nulls[row] = true;
                    break;
            }
        }
    }

    public static bool TryDate(string value, out DateOnly date)
        => DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}
