using System.Globalization;
using System.Net;
using System.Text;
using Grouper.Clearing.Internals;
using Grouper.Core;

namespace Grouper.Clearing;

/// <summary>
/// The clearing report: one self-contained HTML file (no script, no external resources) with the
/// totals, point value, invariants, level coefficients, a table of hospitals and inline SVG charts
/// (points and amounts by hospital, coefficient effects, case-mix index, outlier shares).
/// Deterministic: same results → byte-identical file.
/// </summary>
public static class ClearingHtmlReport
{
    /// <summary>Charts show at most this many hospitals.</summary>
    public const int MaxChartHospitals = 40;

    private const string Css = """
        body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC",sans-serif;margin:20px;color:#222}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ccc}
        table{border-collapse:collapse;font-size:12px;margin:4px 0}th,td{padding:2px 6px;white-space:nowrap;border-bottom:1px solid #e4e4e4;text-align:right}
        th{background:#f3f3f3}td.l,th.l{text-align:left}.ok{color:#07702f;font-weight:600}.bad{color:#b00020;font-weight:600}
        .neg{color:#b00020}.kpi{display:inline-block;margin:0 18px 10px 0;padding:8px 12px;background:#f6f8fa;border-radius:6px}
        .kpi b{display:block;font-size:18px}.note{color:#666;font-size:12px}figure.chart{margin:10px 0}.scroll{overflow-x:auto}
        svg .ct{font-size:14px;font-weight:600}svg .cl{font-size:11px}svg .cv{font-size:10px;fill:#444}
        """;

    public static void Write(string path, IReadOnlyList<ClearingResult> results, string title = "Year-end DIP clearing 年度清算")
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, Render(results, title), new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }

    public static string Render(IReadOnlyList<ClearingResult> results, string title = "Year-end DIP clearing 年度清算")
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(E(title)).Append("</title><style>")
            .Append(Css).Append("</style></head><body>\n");
        sb.Append("<h1>").Append(E(title)).Append("</h1>\n");
        foreach (var r in results.OrderBy(r => r.Region, StringComparer.Ordinal).ThenBy(r => r.Year))
        {
            Region(sb, r);
        }

        sb.Append("<p class=\"note\">Money in yuan, points before coefficients unless \"final\". Rules: docs/clearing.md.</p>\n</body></html>\n");
        return sb.ToString();
    }

    private static void Region(StringBuilder sb, ClearingResult r)
    {
        var p = $"r{r.Region}-{r.Year}";
        sb.Append(CultureInfo.InvariantCulture, $"<section id=\"{E(p)}\"><h2>Region {E(r.Region)}, year {r.Year} ({(r.Basis == PointValueBasis.Fund ? "fund basis" : "cost basis")})</h2>\n<div>");
        Kpi(sb, p + "-budget", "Budget 总额预算", Money(r.BudgetFen));
        Kpi(sb, p + "-allocated", "Allocated F' = Σ S_h", Money(r.AllocatedFen));
        Kpi(sb, p + "-point-value", "Point value 点值", r.PointValue.ToString("0.000000", CultureInfo.InvariantCulture));
        Kpi(sb, p + "-final-points", "Σ final points", Points(r.TotalFinalPoints));
        Kpi(sb, p + "-reserve-left", "Reserve left 调剂金", Money(r.ReserveLeftFen));
        Kpi(sb, p + "-balance", "Σ balance", Money(r.BalanceTotalFen));
        sb.Append("</div>\n");

        sb.Append("<table id=\"").Append(E(p)).Append("-totals\"><tr><th class=\"l\">total</th><th>value</th></tr>\n");
        Row(sb, "DIP budget", Money(r.BudgetFen));
        Row(sb, "regulating reserve set aside", Money(r.ReserveFen));
        Row(sb, "fund to allocate F", Money(r.FundFen));
        Row(sb, "point value before band", r.PointValueUnclamped.ToString("0.000000", CultureInfo.InvariantCulture));
        var band = r.PointValueBand is { } b ? string.Create(CultureInfo.InvariantCulture, $"{r.ProvisionalPointValue:0.000000} ± {b * 100m:0.##}%") : "none";
        Row(sb, "provisional value and band", band);
        Row(sb, "point value used", r.PointValue.ToString("0.000000", CultureInfo.InvariantCulture) + (r.PointValueClamped ? " (clamped)" : string.Empty) + (r.ClampCappedByReserve ? " (capped at budget)" : string.Empty));
        Row(sb, "allocated F'", Money(r.AllocatedFen));
        Row(sb, "reserve after clamp", Money(r.ReserveAfterClampFen));
        Row(sb, "Σ adjustments (surplus/overrun)", Money(r.AdjustmentTotalFen) + (r.AdjustmentsCut ? " (cut to reserve)" : string.Empty));
        Row(sb, "reserve left", Money(r.ReserveLeftFen));
        Row(sb, "unallocated", Money(r.UnallocatedFen));
        Row(sb, "Σ quality withhold", Money(r.WithholdTotalFen));
        Row(sb, "Σ advances paid", Money(r.AdvanceTotalFen));
        Row(sb, "Σ balance (negative = repay)", Money(r.BalanceTotalFen));
        Row(sb, "cases in clearing", r.TotalCases.ToString("#,0", CultureInfo.InvariantCulture));
        Row(sb, "Σ base points", Points(r.TotalBasePoints));
        Row(sb, "Σ final points", Points(r.TotalFinalPoints));
        sb.Append("</table>\n");

        sb.Append("<h3>Invariants</h3><table id=\"").Append(E(p)).Append("-checks\"><tr><th class=\"l\">check</th><th class=\"l\">result</th><th class=\"l\">detail</th></tr>\n");
        foreach (var c in r.Checks)
        {
            sb.Append("<tr><td class=\"l\">").Append(E(c.Name)).Append("</td><td class=\"l ").Append(c.Passed ? "ok\">pass" : "bad\">FAIL")
                .Append("</td><td class=\"l\">").Append(E(c.Detail)).Append("</td></tr>\n");
        }

        sb.Append("</table>\n");

        sb.Append("<h3>Level coefficients 等级系数</h3><table><tr><th class=\"l\">group</th><th>cases</th><th>points</th><th>cost</th><th>cost per point</th><th>computed</th><th>negotiated</th><th>K</th></tr>\n");
        foreach (var g in r.LevelGroups)
        {
            var cpp = g.Points > 0 ? Rounding.Yuan2(g.CostFen / 100m / (g.Points / 10_000m)).ToString("#,0.00", CultureInfo.InvariantCulture) : "–";
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"l\">{E(g.LevelGroup)}</td><td>{g.Cases:#,0}</td><td>{Points(g.Points)}</td><td>{Money(g.CostFen)}</td><td>{cpp}</td><td>{Coef(g.Computed)}</td><td>{Coef(g.Override)}</td><td>{g.Coefficient:0.0000}</td></tr>\n");
        }

        sb.Append("</table>\n");

        sb.Append("<h3>Hospitals</h3><div class=\"scroll\"><table id=\"").Append(E(p)).Append("-hospitals\"><tr><th class=\"l\">hospital</th><th class=\"l\">group</th><th>cases</th><th>base points</th><th>avg</th><th>K</th><th>B</th><th>D</th><th>final points</th><th>S_h</th><th>I_h</th><th>adjustment</th><th>withhold</th><th>advances</th><th>balance</th></tr>\n");
        foreach (var h in r.Hospitals)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<tr><td class=\"l\">{E(h.HospitalId)}</td><td class=\"l\">{E(h.LevelGroup)}</td><td>{h.Cases:#,0}</td><td>{Points(h.TotalPoints)}</td><td>{h.AveragePointsPerCase:0.0000}</td><td>{h.LevelCoefficient:0.0000}</td><td>{h.BonusCoefficient:0.0000}</td><td>{h.DeductionCoefficient:0.0000}</td><td>{Points(h.FinalPoints)}</td><td>{Money(h.SettlementFen)}</td><td>{Money(h.ItemFundFen)}</td>{MoneyCell(h.AdjustmentFen)}<td>{Money(h.WithholdFen)}</td><td>{Money(h.AdvancePaidFen)}</td>{MoneyCell(h.BalanceFen)}</tr>\n");
        }

        sb.Append("</table></div>\n");
        Charts(sb, p, r);
        sb.Append("</section>\n");
    }

    private static void Charts(StringBuilder sb, string p, ClearingResult r)
    {
        // A province has a thousand hospitals: the charts show the largest by final points (the table lists all).
        var hs = r.Hospitals.Count <= MaxChartHospitals
            ? r.Hospitals
            : r.Hospitals.OrderByDescending(h => h.FinalPoints).ThenBy(h => h.HospitalId, StringComparer.Ordinal).Take(MaxChartHospitals).ToList();
        var labels = hs.Select(h => $"{h.HospitalId} ({h.LevelGroup})").ToArray();
        string Pts(decimal v) => v.ToString("#,0.####", CultureInfo.InvariantCulture);
        string Yuan(decimal v) => v.ToString("#,0.00", CultureInfo.InvariantCulture);
        string Ratio(decimal v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
        string Pct(decimal v) => (v * 100m).ToString("0.00", CultureInfo.InvariantCulture) + "%";

        sb.Append("<h3>Charts</h3>\n");
        if (hs.Count < r.Hospitals.Count)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<p class=\"note\">Charts show the {hs.Count} hospitals with the most final points of {r.Hospitals.Count}.</p>\n");
        }

        SvgChart.HorizontalBars(sb, p + "-chart-points", "Points by hospital: base vs final (after K × B × D)", labels,
        [
            new("base points", "#9db4d3", hs.Select(h => h.TotalPoints / 10_000m).ToArray()),
            new("final points", "#2f5d9b", hs.Select(h => h.FinalPoints / 10_000m).ToArray()),
        ], Pts);

        SvgChart.HorizontalBars(sb, p + "-chart-amounts", "Amounts by hospital (yuan)", labels,
        [
            new("settlement S_h", "#2f5d9b", hs.Select(h => h.SettlementFen / 100m).ToArray()),
            new("item-based fund I_h", "#e0a030", hs.Select(h => h.ItemFundFen / 100m).ToArray()),
            new("adjustment", "#7a4fa0", hs.Select(h => h.AdjustmentFen / 100m).ToArray()),
            new("balance", "#3a9a5b", hs.Select(h => h.BalanceFen / 100m).ToArray()),
        ], Yuan);

        // Coefficient effect: final ÷ base points, i.e. the combined K × B × D a hospital's points got.
        SvgChart.HorizontalBars(sb, p + "-chart-coefficients", "Coefficient effect: final ÷ base points (1 = neutral)", labels,
        [
            new("K (level)", "#9db4d3", hs.Select(h => h.LevelCoefficient).ToArray()),
            new("final ÷ base", "#2f5d9b", hs.Select(h => h.TotalPoints == 0 ? 0m : Rounding.Places4((decimal)h.FinalPoints / h.TotalPoints)).ToArray()),
        ], Ratio, 1m);

        // Case-mix index: the hospital's average points per case relative to the region's (例均分值 ÷ region).
        var regionAvg = r.TotalCases == 0 ? 0m : (decimal)r.TotalBasePoints / r.TotalCases;
        SvgChart.HorizontalBars(sb, p + "-chart-cmi", "Case-mix index: avg points per case ÷ region average", labels,
        [
            new("CMI", "#3a9a5b", hs.Select(h => regionAvg == 0m || h.Cases == 0 ? 0m : Rounding.Places4((decimal)h.TotalPoints / h.Cases / regionAvg)).ToArray()),
        ], Ratio, 1m);

        if (hs.Any(h => h.HighOutliers + h.LowOutliers + h.Reviews > 0))
        {
            SvgChart.HorizontalBars(sb, p + "-chart-outliers", "Outlier shares of cases", labels,
            [
                new("high outliers", "#b00020", hs.Select(h => h.Cases == 0 ? 0m : Rounding.Places4((decimal)h.HighOutliers / h.Cases)).ToArray()),
                new("low outliers", "#e0a030", hs.Select(h => h.Cases == 0 ? 0m : Rounding.Places4((decimal)h.LowOutliers / h.Cases)).ToArray()),
                new("approved reviews", "#7a4fa0", hs.Select(h => h.Cases == 0 ? 0m : Rounding.Places4((decimal)h.Reviews / h.Cases)).ToArray()),
            ], Pct);
        }
    }

    private static void Kpi(StringBuilder sb, string id, string label, string value) =>
        sb.Append("<span class=\"kpi\">").Append(E(label)).Append("<b id=\"").Append(E(id)).Append("\">").Append(E(value)).Append("</b></span>");

    private static void Row(StringBuilder sb, string label, string value) =>
        sb.Append("<tr><td class=\"l\">").Append(E(label)).Append("</td><td>").Append(E(value)).Append("</td></tr>\n");

    private static string MoneyCell(long fen) => fen < 0 ? $"<td class=\"neg\">{Money(fen)}</td>" : $"<td>{Money(fen)}</td>";

    private static string Money(long fen) => (fen / 100m).ToString("#,0.00", CultureInfo.InvariantCulture);

    private static string Points(long units) => (units / 10_000m).ToString("#,0.0000", CultureInfo.InvariantCulture);

    private static string Coef(decimal? v) => v is { } x ? x.ToString("0.0000", CultureInfo.InvariantCulture) : "–";

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
