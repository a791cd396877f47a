using System.Text.RegularExpressions;

namespace Grouper.Drg.Internals;

/// <summary>What one entry-logic token tests.</summary>
internal enum TestMode : byte
{
    /// <summary>The principal procedure is in the procedure universe U.</summary>
    HasProc = 0,

    /// <summary>The principal procedure is absent or outside U.</summary>
    NoProc = 1,
    PrincipalDx = 2,
    SecondaryDx = 3,
    AnyDx = 4,
    PrincipalProc = 5,
    AnyProc = 6,
}

/// <summary>One test: a mode over one ADRG section list (none for HAS_PROC/NO_PROC).</summary>
internal readonly record struct Atom(TestMode Mode, string Adrg, string Section, string Text);

/// <summary>
/// Parses the entry-logic grammar of docs/drg.md (tokens PDX/SDX/DX/PPROC/PROCn, ANYPROC_IN(X),
/// PPROC_IN(X,…), HAS_PROC, NO_PROC; operators &amp;, |, parentheses) and compiles it once to
/// disjunctive normal form, so a case only tests bits (no string work per case).
/// </summary>
internal static partial class EntryLogic
{
    private const int MaxClauses = 256;

    [GeneratedRegex("^(PDX|SDX|DX|PPROC|PROC)([0-9]?)$")]
    private static partial Regex SectionToken();

    /// <summary>Section name pattern; dx sections are PDX/SDX/DX(n), procedure sections PPROC/PROC(n).</summary>
    public static bool IsDxSection(string s) => SectionToken().Match(s) is { Success: true } m && m.Groups[1].Value is "PDX" or "SDX" or "DX";

    public static bool IsProcSection(string s) => SectionToken().Match(s) is { Success: true } m && m.Groups[1].Value is "PPROC" or "PROC";

    /// <summary>Compiles to a list of AND-clauses. <paramref name="hasSection"/>(adrg, section) says whether a list exists.</summary>
    /// <exception cref="FormatException">Syntax error or a token naming a missing list.</exception>
    public static List<List<Atom>> Compile(string adrg, string logic, Func<string, string, bool> hasSection)
    {
        var p = new Parser(adrg, logic, hasSection);
        var dnf = p.ParseOr();
        p.ExpectEnd();
        return dnf;
    }

    private sealed class Parser(string adrg, string text, Func<string, string, bool> hasSection)
    {
        private int _pos;

        public void ExpectEnd()
        {
            SkipSpace();
            if (_pos < text.Length)
            {
                throw new FormatException($"unexpected '{text[_pos]}' at position {_pos + 1}");
            }
        }

        public List<List<Atom>> ParseOr()
        {
            var result = ParseAnd();
            while (Peek() == '|')
            {
                _pos++;
                result.AddRange(ParseAnd());
                Check(result);
            }

            return result;
        }

        private static void Check(List<List<Atom>> dnf)
        {
            if (dnf.Count > MaxClauses)
            {
                throw new FormatException($"expression expands to more than {MaxClauses} alternatives");
            }
        }

        private List<List<Atom>> ParseAnd()
        {
            var result = ParsePrimary();
            while (Peek() == '&')
            {
                _pos++;
                var right = ParsePrimary();
                var product = new List<List<Atom>>();
                foreach (var l in result)
                {
                    foreach (var r in right)
                    {
                        product.Add([.. l, .. r]);
                    }
                }

                result = product;
                Check(result);
            }

            return result;
        }

        private List<List<Atom>> ParsePrimary()
        {
            var c = Peek();
            if (c == '(')
            {
                _pos++;
                var inner = ParseOr();
                if (Peek() != ')')
                {
                    throw new FormatException($"missing ')' at position {_pos + 1}");
                }

                _pos++;
                return inner;
            }

            var ident = Ident();
            switch (ident)
            {
                case "HAS_PROC":
                    return [[new Atom(TestMode.HasProc, string.Empty, string.Empty, ident)]];
                case "NO_PROC":
                    return [[new Atom(TestMode.NoProc, string.Empty, string.Empty, ident)]];
                case "ANYPROC_IN":
                case "PPROC_IN":
                    {
                        var args = Args();
                        if (ident == "ANYPROC_IN" && args.Count != 1)
                        {
                            throw new FormatException("ANYPROC_IN takes exactly one ADRG");
                        }

                        var alts = new List<List<Atom>>();
                        foreach (var a in args)
                        {
                            if (!hasSection(a, "PPROC"))
                            {
                                throw new FormatException($"{ident}({a}): ADRG {a} has no PPROC list");
                            }

                            var mode = ident == "ANYPROC_IN" ? TestMode.AnyProc : TestMode.PrincipalProc;
                            alts.Add([new Atom(mode, a, "PPROC", $"{ident}({a})")]);
                        }

                        return alts;
                    }
            }

            var m = SectionToken().Match(ident);
            if (!m.Success)
            {
                throw new FormatException($"unknown token '{ident}'");
            }

            if (!hasSection(adrg, ident))
            {
                throw new FormatException($"token {ident}: ADRG {adrg} has no {ident} list");
            }

            var tm = m.Groups[1].Value switch
            {
                "PDX" => TestMode.PrincipalDx,
                "SDX" => TestMode.SecondaryDx,
                "DX" => TestMode.AnyDx,
                "PPROC" => TestMode.PrincipalProc,
                _ => TestMode.AnyProc,
            };
            return [[new Atom(tm, adrg, ident, ident)]];
        }

        private List<string> Args()
        {
            if (Peek() != '(')
            {
                throw new FormatException($"expected '(' at position {_pos + 1}");
            }

            _pos++;
            var args = new List<string> { Ident() };
            while (Peek() == ',')
            {
                _pos++;
                args.Add(Ident());
            }

            if (Peek() != ')')
            {
                throw new FormatException($"expected ')' at position {_pos + 1}");
            }

            _pos++;
            return args;
        }

        private string Ident()
        {
            SkipSpace();
            var start = _pos;
            while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_'))
            {
                _pos++;
            }

            if (_pos == start)
            {
                throw new FormatException(_pos < text.Length ? $"unexpected '{text[_pos]}' at position {_pos + 1}" : "unexpected end of expression");
            }

            return text[start.._pos];
        }

        private char Peek()
        {
            SkipSpace();
            return _pos < text.Length ? text[_pos] : '\0';
        }

        private void SkipSpace()
        {
            while (_pos < text.Length && text[_pos] == ' ')
            {
                _pos++;
            }
        }
    }
}
