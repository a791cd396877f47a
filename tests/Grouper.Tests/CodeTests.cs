using Grouper.Core;

namespace Grouper.Tests;

public class CodeTests
{
    [Theory]
    [InlineData("K35.800x001")]
    [InlineData("A01.000x005+J17.0*")]
    [InlineData("47.0900x001")]
    [InlineData("J18.900")]
    public void PacksAndUnpacksLosslessly(string text)
    {
        var code = Code.Parse(text);
        Assert.False(code.IsOverflow);
        Assert.Equal(text, code.ToString());
        Assert.Equal(text.Length, code.Length);
    }

    [Fact]
    public void OverlongCodeIsKeptViaOverflowTable()
    {
        var text = "K35.8000000000000000000001";
        var code = Code.Parse(text);
        Assert.True(code.IsOverflow);
        Assert.Equal(text, code.ToString());
        Assert.Equal(code, Code.Parse(text));
    }

    [Fact]
    public void PrefixMatchesStringPrefix()
    {
        var code = Code.Parse("K35.800x001");
        Assert.Equal(Code.Parse("K35.8"), code.Prefix(5));
        Assert.Equal(Code.Parse("K35"), code.Prefix(3));
        Assert.Equal(code, code.Prefix(30));
        Assert.Equal(Code.Parse("47.0900"), Code.Parse("47.0900x001").Prefix(7));
    }

    [Fact]
    public void IntegerOrderIsOrdinalStringOrder()
    {
        string[] codes = ["K35", "K35.8", "K35.800", "K35.800x001", "J18.900", "A01.002+G01*", "47.0900", "Z99"];
        var byString = codes.OrderBy(c => c, StringComparer.Ordinal).ToArray();
        var byCode = codes.Select(Code.Parse).Order().Select(c => c.ToString()).ToArray();
        Assert.Equal(byString, byCode);
    }
}
