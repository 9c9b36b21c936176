using BatchScoring.Core.Sql;

namespace BatchScoring.Core.Tests;

public class SqlIdentifierTests
{
    [Theory]
    [InlineData("customers", null, "customers", "\"customers\"")]
    [InlineData("scored.churn_predictions", "scored", "churn_predictions", "\"scored\".\"churn_predictions\"")]
    [InlineData("_x1", null, "_x1", "\"_x1\"")]
    public void Parses_plain_and_qualified_names(string text, string? schema, string name, string quoted)
    {
        var id = SqlIdentifier.Parse(text);
        Assert.Equal(schema, id.Schema);
        Assert.Equal(name, id.Name);
        Assert.Equal(quoted, id.Quoted);
    }

    [Theory]
    [InlineData("customers; DROP TABLE runs")]
    [InlineData("a.b.c")]
    [InlineData("1abc")]
    [InlineData("bad\"quote")]
    [InlineData("")]
    [InlineData("spaced name")]
    public void Refuses_anything_but_plain_identifiers(string text)
    {
        Assert.False(SqlIdentifier.TryParse(text, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void Refuses_parts_longer_than_postgres_allows()
        => Assert.False(SqlIdentifier.TryParse(new string('a', 64), out _, out _));
}
