namespace Grouper.Generation;

/// <summary>
/// What <see cref="DischargeGenerator"/> writes. Same options (and code source) give byte-identical
/// discharges.csv, hospitals.csv and expected-*.csv on any machine.
/// </summary>
public sealed record GeneratorOptions
{
    /// <summary>Number of discharge records (data rows, bad lines included).</summary>
    public int Count { get; init; } = 10_000;

    public ulong Seed { get; init; } = 1;

    /// <summary>Hospitals inside the regions; referral-centre and out-of-province hospitals come on top (3 per region + 3).</summary>
    public int HospitalCount { get; init; } = 36;

    /// <summary>Insured pooling regions (统筹区); persons belong to one, most care is local.</summary>
    public IReadOnlyList<GeneratorRegion> Regions { get; init; } = GeneratorRegion.Defaults;

    /// <summary>First discharge date (inclusive). Admission dates may be earlier.</summary>
    public DateOnly From { get; init; } = new(2024, 1, 1);

    /// <summary>Last discharge date (inclusive).</summary>
    public DateOnly To { get; init; } = new(2024, 12, 31);

    /// <summary>
    /// Share of lines that are rejects or warning triggers (0 = clean file). When above 0, every
    /// reject and warning kind appears at least once (if <see cref="Count"/> allows), cycling
    /// through the kinds; capped at half the records.
    /// </summary>
    public double BadFraction { get; init; }

    /// <summary>Share of records that are a repeat admission of an earlier person in the range.</summary>
    public double ReadmissionRate { get; init; } = 0.20;

    /// <summary>Write discharges.csv.gz instead of discharges.csv.</summary>
    public bool Gzip { get; init; }

    /// <summary>Use CRLF line ends (default LF).</summary>
    public bool CrLf { get; init; }

    /// <summary>Start discharges.csv with a UTF-8 BOM.</summary>
    public bool Utf8Bom { get; init; }

    /// <summary>Write the columns in a seed-dependent order (readers match columns by header name).</summary>
    public bool ShuffleColumns { get; init; }

    /// <summary>Add an extra column <c>remark</c> that readers must ignore (mostly empty, sometimes a quoted text with a comma).</summary>
    public bool ExtraColumn { get; init; }

    /// <summary>Out-of-province destination outside every region (e.g. Shanghai): 3 hospitals there.</summary>
    public GeneratorSite OutOfProvinceSite { get; init; } = new("310104", "上海市徐汇区", true);

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public void Validate()
    {
        if (Count < 0)
        {
            throw new ArgumentException("Count must be 0 or more", nameof(Count));
        }

        if (Regions.Count == 0)
        {
            throw new ArgumentException("at least one region is needed", nameof(Regions));
        }

        if (HospitalCount < Regions.Count)
        {
            throw new ArgumentException($"HospitalCount must be at least the number of regions ({Regions.Count})", nameof(HospitalCount));
        }

        if (To < From)
        {
            throw new ArgumentException("To is before From", nameof(To));
        }

        if (BadFraction is < 0 or > 1 || double.IsNaN(BadFraction))
        {
            throw new ArgumentException("BadFraction must be within [0, 1]", nameof(BadFraction));
        }

        if (ReadmissionRate is < 0 or > 1 || double.IsNaN(ReadmissionRate))
        {
            throw new ArgumentException("ReadmissionRate must be within [0, 1]", nameof(ReadmissionRate));
        }

        foreach (var r in Regions)
        {
            if (r.Code.Length != 6 || !r.Code.All(char.IsAsciiDigit) || !r.Code.EndsWith("00", StringComparison.Ordinal))
            {
                throw new ArgumentException($"region code '{r.Code}' is not a prefecture code like 350900", nameof(Regions));
            }

            if (r.Sites.Count == 0)
            {
                throw new ArgumentException($"region {r.Code} has no sites", nameof(Regions));
            }

            var centre = r.ReferralCentre.Code;
            if (centre.Length != 6 || centre[..2] != r.Code[..2] || centre[..4] == r.Code[..4])
            {
                throw new ArgumentException($"referral centre '{centre}' of region {r.Code} must be another prefecture of the same province (out-of-city care)", nameof(Regions));
            }

            if (OutOfProvinceSite.Code.Length != 6 || OutOfProvinceSite.Code[..2] == r.Code[..2])
            {
                throw new ArgumentException($"OutOfProvinceSite '{OutOfProvinceSite.Code}' must be in another province than region {r.Code}", nameof(OutOfProvinceSite));
            }

            foreach (var s in r.Sites)
            {
                if (s.Code.Length != 6 || !s.Code.StartsWith(r.Code[..4], StringComparison.Ordinal))
                {
                    throw new ArgumentException($"site '{s.Code}' is not inside region {r.Code}", nameof(Regions));
                }
            }
        }
    }
}

/// <summary>A 6-digit administrative division (区/县) where hospitals sit; urban districts get the city-level hospitals.</summary>
public sealed record GeneratorSite(string Code, string Name, bool Urban);

/// <summary>
/// An insured pooling region: its sites, a relative population weight and the same-province
/// referral centre where out-of-city care (异地就医, 省内) goes.
/// </summary>
public sealed record GeneratorRegion(string Code, string Name, int Weight, IReadOnlyList<GeneratorSite> Sites, GeneratorSite ReferralCentre)
{
    /// <summary>The default region with this pooling code (350900, 411500, 330200); null when none.</summary>
    public static GeneratorRegion? ByCode(string code) => Defaults.FirstOrDefault(r => r.Code == code);

    /// <summary>Ningde 宁德 350900, Xinyang 信阳 411500, Ningbo 宁波 330200 (weights ≈ population in 100k).</summary>
    public static IReadOnlyList<GeneratorRegion> Defaults { get; } =
    [
        new("350900", "宁德", 31,
        [
            new("350902", "蕉城区", true), new("350921", "霞浦县", false), new("350922", "古田县", false),
            new("350923", "屏南县", false), new("350924", "寿宁县", false), new("350925", "周宁县", false),
            new("350926", "柘荣县", false), new("350981", "福安市", false), new("350982", "福鼎市", false),
        ],
        new("350102", "福州市鼓楼区", true)),
        new("411500", "信阳", 60,
        [
            new("411502", "浉河区", true), new("411503", "平桥区", true), new("411521", "罗山县", false),
            new("411522", "光山县", false), new("411523", "新县", false), new("411524", "商城县", false),
            new("411525", "固始县", false), new("411526", "潢川县", false), new("411527", "淮滨县", false),
            new("411528", "息县", false),
        ],
        new("410105", "郑州市金水区", true)),
        new("330200", "宁波", 96,
        [
            new("330203", "海曙区", true), new("330205", "江北区", true), new("330206", "北仑区", true),
            new("330211", "镇海区", true), new("330212", "鄞州区", true), new("330213", "奉化区", true),
            new("330225", "象山县", false), new("330226", "宁海县", false), new("330281", "余姚市", false),
            new("330282", "慈溪市", false),
        ],
        new("330106", "杭州市西湖区", true)),
    ];
}
