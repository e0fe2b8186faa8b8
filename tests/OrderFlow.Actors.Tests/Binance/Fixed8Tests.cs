using System.Text;
using OrderFlow.Protocol;
using Xunit;

namespace OrderFlow.Actors.Tests.Binance;

public sealed class Fixed8Tests
{
    [Theory]
    [InlineData("91350.12000000", 9_135_012_000_000L)]
    [InlineData("0.00000001", 1L)]
    [InlineData("1", 100_000_000L)]
    [InlineData("0.5", 50_000_000L)]
    [InlineData("92233720368.54775807", long.MaxValue)]
    public void Parses_Binance_decimal_strings_exactly(string text, long raw)
    {
        Assert.True(Fixed8.TryParse(Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(raw, value.Raw);
        Assert.Equal(decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture), value.ToDecimal());
    }

    [Theory]
    [InlineData("")]
    [InlineData(".5")]
    [InlineData("1.")]
    [InlineData("1.123456789")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1e5")]
    [InlineData("1,000")]
    [InlineData(" 1")]
    [InlineData("92233720368.54775808")]
    [InlineData("99999999999999999999")]
    public void Refuses_anything_else(string text) => Assert.False(Fixed8.TryParse(Encoding.ASCII.GetBytes(text), out _));

    [Fact]
    public void Sums_without_drift_where_double_drifts()
    {
        var tenth = Fixed8.Parse("0.1");
        var sum = Fixed8.Zero;
        var drifting = 0.0;
        for (var i = 0; i < 1_000_000; i++)
        {
            sum += tenth;
            drifting += 0.1;
        }
        Assert.Equal(100_000m, sum.ToDecimal());
        Assert.NotEqual(100_000.0, drifting);
    }

    [Fact]
    public void Formats_short_and_as_Binance_writes()
    {
        Assert.Equal("0.123456", Fixed8.Parse("0.12345600").ToString());
        Assert.Equal("91350.00000000", Fixed8.Parse("91350").ToWireString());
        Assert.Equal(-0.5m, new Fixed8(-50_000_000).ToDecimal());
        Assert.Throws<ArgumentException>(() => Fixed8.FromDecimal(0.123456789m));
    }
}
