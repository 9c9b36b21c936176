using Dapper;
using Microsoft.ML;
using Microsoft.ML.Data;
using Npgsql;

namespace BatchScoring.Benchmarks;

/// <summary>
/// The hand-written loop users compare against: Dapper SELECT, ML.NET <c>PredictionEngine</c> one row
/// at a time, and one INSERT per row (autocommit) into an output table with a key and an index.
/// </summary>
public static class NaiveLoop
{
    public static async Task<Timed> MeasureAsync(NpgsqlDataSource dataSource, string table, string modelFile, int sample)
    {
        var ml = new MLContext(seed: 1);
        var model = ml.Model.Load(modelFile, out _);
        var engine = ml.Model.CreatePredictionEngine<Customer, Prediction>(model);
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            CREATE SCHEMA IF NOT EXISTS scored;
            DROP TABLE IF EXISTS scored.bench_naive;
            CREATE TABLE scored.bench_naive (customer_id bigint PRIMARY KEY, predicted_label boolean, probability real, score real, scored_at timestamptz NOT NULL);
            CREATE INDEX ON scored.bench_naive (scored_at);
            """);

        await BenchmarkDatabase.CheckpointAsync(dataSource);
        var meter = MachineCpu.Start();
        var customers = await connection.QueryAsync<Customer>($"""
            SELECT customer_id AS CustomerId, tenure_months::real AS TenureMonths, monthly_charges::real AS MonthlyCharges,
                   total_charges::real AS TotalCharges, support_calls::real AS SupportCalls, days_since_login::real AS DaysSinceLogin,
                   num_products::real AS NumProducts, avg_session_minutes AS AvgSessionMinutes, late_payments::real AS LatePayments,
                   contract AS Contract, payment_method AS PaymentMethod
            FROM {table} ORDER BY customer_id LIMIT {sample}
            """);
        foreach (var customer in customers)
        {
            var prediction = engine.Predict(customer);
            await connection.ExecuteAsync(
                "INSERT INTO scored.bench_naive (customer_id, predicted_label, probability, score, scored_at) VALUES (@id, @label, @probability, @score, now())",
                new { id = customer.CustomerId, label = prediction.PredictedLabel, probability = prediction.Probability, score = prediction.Score });
        }
        return meter.Stop();
    }

    public sealed class Customer
    {
        [NoColumn] public long CustomerId { get; set; }
        [ColumnName("tenure_months")] public float TenureMonths { get; set; }
        [ColumnName("monthly_charges")] public float MonthlyCharges { get; set; }
        [ColumnName("total_charges")] public float TotalCharges { get; set; }
        [ColumnName("support_calls")] public float SupportCalls { get; set; }
        [ColumnName("days_since_login")] public float DaysSinceLogin { get; set; }
        [ColumnName("num_products")] public float NumProducts { get; set; }
        [ColumnName("avg_session_minutes")] public float AvgSessionMinutes { get; set; }
        [ColumnName("late_payments")] public float LatePayments { get; set; }
        [ColumnName("contract")] public string Contract { get; set; } = "";
        [ColumnName("payment_method")] public string PaymentMethod { get; set; } = "";
    }

    public sealed class Prediction
    {
        public bool PredictedLabel { get; set; }
        public float Probability { get; set; }
        public float Score { get; set; }
    }
}
