using System.ComponentModel.DataAnnotations;
using BatchScoring.Core.Paths;

namespace BatchScoring.Worker.Hosting;

internal sealed class SourcesOptions
{
    public const string Section = "Sources";

    /// <summary>The folder Parquet source paths of job files are relative to, and must stay inside.</summary>
    [Required]
    public string ParquetRoot { get; set; } = ".";

    /// <summary>Further folders Parquet sources may read (by absolute path).</summary>
    public List<string> AllowedParquetRoots { get; set; } = [];

    public ContainedPaths ParquetPaths() => new("Sources:ParquetRoot", [ParquetRoot, .. AllowedParquetRoots]);
}
