using System.Globalization;

namespace Grouper.Tests.Drg;

/// <summary>
/// A slow, obviously correct CHS-DRG 2.0 grouper written straight from drg.md over the raw reference
/// CSVs (string keys, plain dictionaries, loops, entry logic interpreted per case). It shares no code
/// with the engine or the importer: it exists to be compared against them.
/// </summary>
internal sealed class ReferenceDrgGrouper
{
    private readonly Dictionary<string, List<string>> _mdcOfDx = [];
    private readonly HashSet<string> _mdcy = [];
    private readonly Dictionary<string, string> _siteOf = [];
    private readonly Dictionary<string, string> _adrgMdc = [];
    private readonly Dictionary<string, string> _adrgKind = [];
    private readonly Dictionary<string, string> _adrgLogic = [];
    private readonly Dictionary<string, Dictionary<string, HashSet<string>>> _sections = [];
    private readonly Dictionary<string, (string Level, string Table)> _cc = [];
    private readonly Dictionary<string, string> _tableOf = [];
    private readonly Dictionary<string, List<(string Drg, string Meaning)>> _drgs = [];
    private readonly HashSet<string> _u = [];
    private readonly Dictionary<string, List<string>> _adrgsOfMdc = [];
    private readonly Dictionary<string, List<string>> _tokens = [];

    public ReferenceDrgGrouper(string dir)
    {
        foreach (var r in Rows(dir, "mdc_dx.csv"))
        {
            if (r[0] == "MDCY")
            {
                _mdcy.Add(r[1]);
            }
            else
            {
                if (!_mdcOfDx.TryGetValue(r[1], out var l))
                {
                    _mdcOfDx[r[1]] = l = [];
                }

                l.Add(r[0]);
            }
        }

        foreach (var r in Rows(dir, "mdcz_sites.csv"))
        {
            _siteOf[r[2]] = r[0];
        }

        var codes = new List<string>();
        foreach (var r in Rows(dir, "adrg.csv"))
        {
            codes.Add(r[0]);
            _adrgMdc[r[0]] = r[1];
            _adrgKind[r[0]] = r[3];
            _adrgLogic[r[0]] = r[4].Length == 0 && r[0] == "WR2" ? "PDX" : r[4];
            _sections[r[0]] = [];
        }

        // catalog order = code order, except ID1, ID2 before IB3 (drg.md step 7)
        codes.Sort(StringComparer.Ordinal);
        codes.Remove("ID1");
        codes.Remove("ID2");
        codes.InsertRange(codes.IndexOf("IB3"), ["ID1", "ID2"]);
        foreach (var a in codes)
        {
            if (!_adrgsOfMdc.TryGetValue(_adrgMdc[a], out var l))
            {
                _adrgsOfMdc[_adrgMdc[a]] = l = [];
            }

            l.Add(a);
        }

        foreach (var file in new[] { "adrg_dx.csv", "adrg_proc.csv" })
        {
            foreach (var r in Rows(dir, file))
            {
                var secs = _sections[r[0]];
                if (!secs.TryGetValue(r[1], out var set))
                {
                    secs[r[1]] = set = [];
                }

                set.Add(r[3]);
                if (file == "adrg_proc.csv")
                {
                    _u.Add(r[3]);
                }
            }
        }

        foreach (var r in Rows(dir, "cc_mcc.csv"))
        {
            _cc[r[0]] = (r[1], r[2]);
        }

        foreach (var r in Rows(dir, "cc_exclusion.csv"))
        {
            _tableOf[r[1]] = r[0];
        }

        foreach (var r in Rows(dir, "drg.csv"))
        {
            if (!_drgs.TryGetValue(r[1], out var l))
            {
                _drgs[r[1]] = l = [];
            }

            l.Add((r[0], r[3]));
        }
    }

    public sealed record Result(string Drg, string Reason, string Mdc, string Adrg, string Level, string LevelCode, int Excluded, string FirstExcluded);

    public Result Group(int sex, int ageYears, int ageDays, int weight, string pdx, IReadOnlyList<string> sdxIn, string pproc, IReadOnlyList<string> oprocIn)
    {
        if (pdx.Length == 0)
        {
            return Fail("UNGROUPABLE_NO_PRINCIPAL_DX", string.Empty);
        }

        if (sex != 1 && sex != 2)
        {
            return Fail("UNGROUPABLE_SEX_UNKNOWN", string.Empty);
        }

        // normalisation
        var sdx = new List<string>();
        foreach (var s in sdxIn)
        {
            if (s.Length > 0 && s != pdx && !sdx.Contains(s))
            {
                sdx.Add(s);
            }
        }

        var oprocs = new List<string>();
        foreach (var p in oprocIn)
        {
            if (p.Length > 0 && !oprocs.Contains(p))
            {
                oprocs.Add(p);
            }
        }

        if (pproc.Length == 0 && oprocs.Count > 0)
        {
            pproc = oprocs[0];
            oprocs.RemoveAt(0);
        }

        var c = new CaseData(pdx, sdx, pproc, oprocs);

        // 1. MDCA
        foreach (var a in _adrgsOfMdc["MDCA"])
        {
            if (Holds(a, c))
            {
                return Assign(a, c);
            }
        }

        // 2-3. MDCP
        if (ageYears == 0)
        {
            if (ageDays < 0)
            {
                return Fail("UNGROUPABLE_NEWBORN_DATA", string.Empty);
            }

            if (ageDays <= 28)
            {
                foreach (var a in new[] { "PB1", "PC1", "PD1", "PJ1", "PK1" })
                {
                    if (Holds(a, c))
                    {
                        return Assign(a, c);
                    }
                }

                if (_u.Contains(pproc))
                {
                    return new Result("PQY", "QY", "MDCP", string.Empty, string.Empty, string.Empty, 0, string.Empty);
                }

                foreach (var a in new[] { "PR1", "PS1", "PS2", "PS3", "PS4", "PU1" })
                {
                    if (!Holds(a, c))
                    {
                        continue;
                    }

                    if (a.StartsWith("PS", StringComparison.Ordinal))
                    {
                        if (weight < 0)
                        {
                            return Fail("UNGROUPABLE_NEWBORN_DATA", "MDCP");
                        }

                        var inBand = a switch
                        {
                            "PS1" => weight < 1500,
                            "PS2" => weight >= 1500 && weight <= 1999,
                            "PS3" => weight >= 2000 && weight <= 2499,
                            _ => weight >= 2500,
                        };
                        if (!inBand)
                        {
                            continue;
                        }
                    }

                    return Assign(a, c);
                }

                return new Result("PQY", "QY", "MDCP", string.Empty, string.Empty, string.Empty, 0, string.Empty);
            }

            if (ageDays <= 365 && Holds("PV1", c))
            {
                return Assign("PV1", c);
            }
        }

        // 4. MDCY
        if (_mdcy.Contains(pdx) || sdx.Any(_mdcy.Contains))
        {
            return InMdc("MDCY", c);
        }

        // 5. MDCZ
        if (_siteOf.TryGetValue(pdx, out var pdxSite))
        {
            var sites = new HashSet<string> { pdxSite };
            foreach (var s in sdx)
            {
                if (_siteOf.TryGetValue(s, out var site))
                {
                    sites.Add(site);
                }
            }

            if (sites.Count >= 2)
            {
                return InMdc("MDCZ", c);
            }
        }

        // 6. MDC by principal diagnosis, sex rules
        if (!_mdcOfDx.TryGetValue(pdx, out var mdcs))
        {
            return Fail("UNGROUPABLE_UNKNOWN_PRINCIPAL_DX", string.Empty);
        }

        string mdc;
        if (mdcs.Contains("MDCM") && mdcs.Contains("MDCN"))
        {
            mdc = sex == 1 ? "MDCM" : "MDCN";
        }
        else
        {
            mdc = mdcs[0];
            if ((mdc == "MDCM" && sex == 2) || (mdc == "MDCN" && sex == 1))
            {
                return new Result("MQY", "QY_SEX_CONFLICT", "MDCM", string.Empty, string.Empty, string.Empty, 0, string.Empty);
            }

            if (mdc == "MDCO" && sex == 1)
            {
                return Fail("UNGROUPABLE_SEX_CONFLICT", string.Empty);
            }
        }

        return InMdc(mdc, c);
    }

    private Result InMdc(string mdc, CaseData c)
    {
        var list = _adrgsOfMdc[mdc];
        foreach (var a in list.Where(a => _adrgKind[a] == "surgical").Concat(list.Where(a => _adrgKind[a] == "non_or_procedure")))
        {
            if (Holds(a, c))
            {
                return Assign(a, c);
            }
        }

        if (_u.Contains(c.Pproc))
        {
            return new Result(mdc[3] + "QY", "QY", mdc, string.Empty, string.Empty, string.Empty, 0, string.Empty);
        }

        foreach (var a in list.Where(a => _adrgKind[a] == "medical"))
        {
            if (Holds(a, c))
            {
                return Assign(a, c);
            }
        }

        return Fail("UNGROUPABLE_NO_ADRG", mdc);
    }

    private Result Assign(string adrg, CaseData c)
    {
        // 10. CC/MCC: s counts as L unless the principal is a member of T(s)
        var level = string.Empty;
        var levelCode = string.Empty;
        var excluded = 0;
        var firstExcluded = string.Empty;
        _tableOf.TryGetValue(c.Pdx, out var pdxTable);
        foreach (var s in c.Sdx)
        {
            if (!_cc.TryGetValue(s, out var info))
            {
                continue;
            }

            if (info.Table == pdxTable)
            {
                excluded++;
                if (firstExcluded.Length == 0)
                {
                    firstExcluded = s;
                }

                continue;
            }

            if (info.Level == "MCC" && level != "MCC")
            {
                level = "MCC";
                levelCode = s;
            }
            else if (info.Level == "CC" && level.Length == 0)
            {
                level = "CC";
                levelCode = s;
            }
        }

        // 11. split from the digits the ADRG has
        var digits = _drgs[adrg].Select(d => d.Drg[^1]).ToHashSet();
        char digit;
        if (digits.SetEquals(['1', '3', '5']))
        {
            digit = level == "MCC" ? '1' : level == "CC" ? '3' : '5';
        }
        else if (digits.SetEquals(['3', '5']))
        {
            digit = level.Length > 0 ? '3' : '5';
        }
        else if (digits.SetEquals(['1', '5']))
        {
            digit = level == "MCC" ? '1' : '5';
        }
        else if (digits.SetEquals(['9']))
        {
            digit = '9';
        }
        else
        {
            throw new InvalidOperationException("unexpected split of " + adrg);
        }

        return new Result(adrg + digit.ToString(CultureInfo.InvariantCulture), "OK", _adrgMdc[adrg], adrg, level, levelCode, excluded, firstExcluded);
    }

    private static Result Fail(string reason, string mdc) => new("0000", reason, mdc, string.Empty, string.Empty, string.Empty, 0, string.Empty);

    private sealed record CaseData(string Pdx, List<string> Sdx, string Pproc, List<string> Oprocs);

    private bool Holds(string adrg, CaseData c)
    {
        if (!_tokens.TryGetValue(adrg, out var tokens))
        {
            _tokens[adrg] = tokens = Tokenize(_adrgLogic[adrg]);
        }

        var pos = 0;
        var v = Or(adrg, c, tokens, ref pos);
        if (pos != tokens.Count)
        {
            throw new InvalidOperationException("bad logic " + _adrgLogic[adrg]);
        }

        return v;
    }

    private bool Or(string adrg, CaseData c, List<string> t, ref int pos)
    {
        var v = And(adrg, c, t, ref pos);
        while (pos < t.Count && t[pos] == "|")
        {
            pos++;
            v |= And(adrg, c, t, ref pos);
        }

        return v;
    }

    private bool And(string adrg, CaseData c, List<string> t, ref int pos)
    {
        var v = Atom(adrg, c, t, ref pos);
        while (pos < t.Count && t[pos] == "&")
        {
            pos++;
            v &= Atom(adrg, c, t, ref pos);
        }

        return v;
    }

    private bool Atom(string adrg, CaseData c, List<string> t, ref int pos)
    {
        var tok = t[pos++];
        if (tok == "(")
        {
            var v = Or(adrg, c, t, ref pos);
            pos++; // ')'
            return v;
        }

        if (tok is "ANYPROC_IN" or "PPROC_IN")
        {
            pos++; // '('
            var args = new List<string>();
            while (t[pos] != ")")
            {
                if (t[pos] != ",")
                {
                    args.Add(t[pos]);
                }

                pos++;
            }

            pos++;
            var union = args.SelectMany(a => _sections[a]["PPROC"]).ToHashSet();
            return tok == "PPROC_IN" ? union.Contains(c.Pproc) : union.Contains(c.Pproc) || c.Oprocs.Any(union.Contains);
        }

        switch (tok)
        {
            case "HAS_PROC":
                return _u.Contains(c.Pproc);
            case "NO_PROC":
                return !_u.Contains(c.Pproc);
        }

        var list = _sections[adrg][tok];
        if (tok.StartsWith("PDX", StringComparison.Ordinal))
        {
            return list.Contains(c.Pdx);
        }

        if (tok.StartsWith("SDX", StringComparison.Ordinal))
        {
            return c.Sdx.Any(list.Contains);
        }

        if (tok.StartsWith("DX", StringComparison.Ordinal))
        {
            return list.Contains(c.Pdx) || c.Sdx.Any(list.Contains);
        }

        if (tok.StartsWith("PPROC", StringComparison.Ordinal))
        {
            return list.Contains(c.Pproc);
        }

        if (tok.StartsWith("PROC", StringComparison.Ordinal))
        {
            return list.Contains(c.Pproc) || c.Oprocs.Any(list.Contains);
        }

        throw new InvalidOperationException("unknown token " + tok);
    }

    private static List<string> Tokenize(string s)
    {
        var result = new List<string>();
        var i = 0;
        while (i < s.Length)
        {
            if (s[i] == ' ')
            {
                i++;
            }
            else if ("()&|,".Contains(s[i], StringComparison.Ordinal))
            {
                result.Add(s[i++].ToString());
            }
            else
            {
                var start = i;
                while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_'))
                {
                    i++;
                }

                result.Add(s[start..i]);
            }
        }

        return result;
    }

    /// <summary>Reads the data rows of a reference CSV.</summary>
    internal static IEnumerable<string[]> Rows(string dir, string file)
    {
        foreach (var line in File.ReadLines(Path.Combine(dir, file)).Skip(1))
        {
            if (line.Length > 0)
            {
                yield return Split(line);
            }
        }
    }

    /// <summary>Splits one CSV line, honouring double quotes (adrg.csv quotes names and logic with commas).</summary>
    private static string[] Split(string line)
    {
        var fields = new List<string>();
        var sb = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var ch = line[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    sb.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    sb.Append(ch);
                }
            }
            else if (ch == '"')
            {
                quoted = true;
            }
            else if (ch == ',')
            {
                fields.Add(sb.ToString());
                sb.Clear();
            }
            else
            {
                sb.Append(ch);
            }
        }

        fields.Add(sb.ToString());
        return [.. fields];
    }
}
