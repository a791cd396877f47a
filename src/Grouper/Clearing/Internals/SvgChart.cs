using System.Globalization;
using System.Net;
using System.Text;

namespace Grouper.Clearing.Internals;

/// <summary>One series of a bar chart.</summary>
internal sealed record ChartSeries(string Name, string Color, decimal[] Values);

/// <summary>
/// Inline SVG horizontal bar charts, no script and no external resources, so the report is one
/// self-contained file that renders the same anywhere. Values are scaled in decimal and printed
/// with invariant culture, so the output is byte-identical for equal inputs.
/// </summary>
internal static class SvgChart
{
    private const int LabelWidth = 110;
    private const int PlotWidth = 520;
    private const int ValueWidth = 130;
    private const int BarHeight = 12;
    private const int GroupGap = 8;

    public static void HorizontalBars(StringBuilder sb, string id, string title, IReadOnlyList<string> labels, IReadOnlyList<ChartSeries> series,
        Func<decimal, string> format, decimal? referenceLine = null)
    {
        decimal min = 0m, max = 0m;
        foreach (var s in series)
        {
            foreach (var v in s.Values)
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }

        if (referenceLine is { } rl)
        {
            max = Math.Max(max, rl);
        }

        if (max == min)
        {
            max = min + 1m;
        }

        var groupHeight = (series.Count * BarHeight) + GroupGap;
        var legendHeight = 22;
        var height = 30 + legendHeight + (labels.Count * groupHeight) + 10;
        var width = LabelWidth + PlotWidth + ValueWidth;
        decimal X(decimal v) => LabelWidth + ((v - min) / (max - min) * PlotWidth);

        sb.Append(CultureInfo.InvariantCulture, $"<figure class=\"chart\" id=\"{id}\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{Esc(title)}\">");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"16\" class=\"ct\">{Esc(title)}</text>");
        var lx = LabelWidth;
        foreach (var s in series)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx}\" y=\"26\" width=\"10\" height=\"10\" fill=\"{s.Color}\"/><text x=\"{lx + 14}\" y=\"35\" class=\"cl\">{Esc(s.Name)}</text>");
            lx += 24 + (s.Name.Length * 7);
        }

        var top = 30 + legendHeight;
        var zero = X(0m);
        for (var i = 0; i < labels.Count; i++)
        {
            var y0 = top + (i * groupHeight);
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth - 6}\" y=\"{y0 + (series.Count * BarHeight / 2) + 4}\" text-anchor=\"end\" class=\"cl\">{Esc(labels[i])}</text>");
            for (var k = 0; k < series.Count; k++)
            {
                var v = series[k].Values[i];
                var x1 = Math.Min(zero, X(v));
                var w = Math.Abs(X(v) - zero);
                var y = y0 + (k * BarHeight);
                sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{N(x1)}\" y=\"{y}\" width=\"{N(w)}\" height=\"{BarHeight - 2}\" fill=\"{series[k].Color}\"><title>{Esc(labels[i])} {Esc(series[k].Name)}: {Esc(format(v))}</title></rect>");
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{LabelWidth + PlotWidth + 6}\" y=\"{y + BarHeight - 3}\" class=\"cv\">{Esc(format(v))}</text>");
            }
        }

        var bottom = top + (labels.Count * groupHeight);
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(zero)}\" y1=\"{top - 2}\" x2=\"{N(zero)}\" y2=\"{bottom}\" stroke=\"#444\" stroke-width=\"1\"/>");
        if (referenceLine is { } r)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{N(X(r))}\" y1=\"{top - 2}\" x2=\"{N(X(r))}\" y2=\"{bottom}\" stroke=\"#c00\" stroke-dasharray=\"4 3\" stroke-width=\"1\"/>");
        }

        sb.Append("</svg></figure>\n");
    }

    private static string N(decimal v) => Grouper.Core.Rounding.Places(v, 1).ToString("0.#", CultureInfo.InvariantCulture);

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
