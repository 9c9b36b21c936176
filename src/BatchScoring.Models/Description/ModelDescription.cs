using BatchScoring.Core.Scoring;

namespace BatchScoring.Models.Description;

/// <summary>One input or output of a model file as the file declares it: e.g. <c>float_input</c>, <c>tensor(float)</c>, <c>[N,4]</c>.</summary>
public sealed record ModelPort(string Name, string Type, string Shape)
{
    public override string ToString() => Shape.Length == 0 ? $"{Name} {Type}" : $"{Name} {Type} {Shape}";
}

/// <summary>
/// What a model file is, for <c>models inspect</c> and for messages that refuse a model: its format and task, its declared
/// inputs and outputs, its classes, and the features it reads in order (the names a job's columns bind to).
/// </summary>
public sealed record ModelDescription(
    string Format, ModelTask? Task, IReadOnlyList<ModelPort> Inputs, IReadOnlyList<ModelPort> Outputs,
    IReadOnlyList<string> Classes, IReadOnlyList<string> FeatureOrder)
{
    /// <summary>One line for error messages: the inputs and outputs with types and shapes.</summary>
    public string Signature =>
        $"inputs: {string.Join(", ", Inputs)}; outputs: {(Outputs.Count == 0 ? "none" : string.Join(", ", Outputs))}";
}
