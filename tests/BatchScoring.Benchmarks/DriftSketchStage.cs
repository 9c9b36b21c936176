using BatchScoring.Core.Batches;
using BatchScoring.Core.Drift.Sketches;
using BatchScoring.Core.Scoring;
using BatchScoring.Core.Synthetic;
using BatchScoring.Models.MlNet;

namespace BatchScoring.Benchmarks;

/// <summary>
/// What drift adds to a score thread, without the database: on in-memory batches, one thread, the score stage
/// (bind + compiled trees) against the drift sketch update of the same scored batches (key hashes, then every
/// input and output into a partition's sketch, as <c>PartitionExecutor</c> does). Less exposed to a loaded
/// machine than two pipeline runs: the two alternate within one process, and each side's median counts.
/// </summary>
public static class DriftSketchStage
{
    public static async Task<(Timed Score, Timed Sketch)> MeasureAsync(string modelFile, long rows, int referenceRows, int rounds)
    {
        var model = MlNetScorer.Load(modelFile, compileTrees: true);
        var scorer = new IsolatingScorer(model);
        string[] keys = [SyntheticChurnData.KeyColumn];
        var inputs = SyntheticChurnData.Schema.Where(c => model.Inputs.Any(i => i.Name == c.Name)).ToArray();
        var referenceBatches = Score(scorer, SyntheticChurnData.Generate(referenceRows, seed: 7, batchSize: StageProbe.BatchSize));
        var reference = await DatasetSketch.BuildReferenceAsync(DatasetSketch.FeaturesOf(inputs, model.Outputs), SketchOptions.Default, (sketch, _) =>
        {
            foreach (var scored in referenceBatches)
                sketch.Add(scored, RowKeyHasher.Hash(scored.Input, keys));
            return Task.CompletedTask;
        }, CancellationToken.None);
        var batches = SyntheticChurnData.Generate(rows, seed: 42, batchSize: StageProbe.BatchSize).ToList();
        var scoredBatches = Score(scorer, batches.Take(10));
        Sketch(reference, scoredBatches, keys);
        List<Timed> scoring = [], sketching = [];
        for (var round = 0; round < rounds; round++)
        {
            Console.WriteLine($"Measuring the score stage and the drift sketch update, round {round + 1} of {rounds}");
            var meter = MachineCpu.Start();
            scoredBatches = Score(scorer, batches);
            scoring.Add(meter.Stop());
            meter = MachineCpu.Start();
            Sketch(reference, scoredBatches, keys);
            sketching.Add(meter.Stop());
            Console.WriteLine($"  score {scoring[^1].Elapsed.TotalSeconds:0.000} s, sketch {sketching[^1].Elapsed.TotalSeconds:0.000} s");
        }
        return (Median(scoring), Median(sketching));
    }

    private static List<ScoredBatch> Score(IsolatingScorer scorer, IEnumerable<RowBatch> batches) =>
        batches.Select(batch => scorer.Score(InputBinder.ForModel(batch, scorer.Inner.Inputs, null)).Scored).ToList();

    private static void Sketch(DatasetSketch reference, List<ScoredBatch> scored, string[] keys)
    {
        var sketch = reference.EmptyCopy(DatasetSketch.RunSalt(1));
        foreach (var batch in scored)
            sketch.Add(batch, RowKeyHasher.Hash(batch.Input, keys));
    }

    private static Timed Median(List<Timed> times) => times.OrderBy(t => t.Elapsed).ElementAt(times.Count / 2);
}
