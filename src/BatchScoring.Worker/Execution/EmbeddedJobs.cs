namespace BatchScoring.Worker.Execution;

/// <summary>Job files compiled into the executable (the demo job), so they work from any folder.</summary>
internal static class EmbeddedJobs
{
    public static string? Read(string name)
    {
        using var stream = typeof(EmbeddedJobs).Assembly.GetManifestResourceStream(name + ".yaml");
        if (stream is null)
            return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
