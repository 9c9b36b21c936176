namespace BatchScoring.Core.Scoring;

/// <summary>What a model predicts, read from the columns it produces.</summary>
public enum ModelTask
{
    /// <summary>score, probability and predicted_label (boolean).</summary>
    BinaryClassification,
    /// <summary>score only.</summary>
    Regression,
    /// <summary>predicted_label (text) and one probability_&lt;class&gt; per class.</summary>
    MulticlassClassification,
}
