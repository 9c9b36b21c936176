using BatchScoring.Benchmarks;

BenchmarkArguments arguments;
try
{
    arguments = BenchmarkArguments.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

if (arguments.PipelineOnly is { } childTask)
    return await MemoryProbe.RunChildAsync(childTask, arguments.SettingsDictionary);

return await new BenchmarkSuite(arguments, args).RunAsync();
