using Grouper.Core;

namespace Grouper.Generation.Internals;

/// <summary>Where a case is treated: which hospitals fit a case family.</summary>
internal enum CareGroup
{
    /// <summary>General, TCM and specialty hospitals of every level (common medical cases).</summary>
    GeneralAll,

    /// <summary>General, TCM and specialty hospitals of tier 2 and 3 (surgery, severe cases).</summary>
    GeneralHigh,

    /// <summary>Maternal and child hospitals, and general hospitals of tier 2 and 3.</summary>
    Maternal,

    Psychiatric,
    Rehabilitation,
}

/// <summary>
/// The generated hospitals.csv rows plus, per insured region and care group, weighted tables of
/// local, out-of-city (referral centre, same province) and out-of-province hospitals.
/// </summary>
internal sealed class HospitalBuilder
{
    public const int Groups = 5;

    private static readonly (string Level, HospitalKind Kind, HospitalLocation Location, bool Grassroots)[] Core =
    [
        ("3A", HospitalKind.General, HospitalLocation.City, false),
        ("2A", HospitalKind.General, HospitalLocation.County, false),
        ("1A", HospitalKind.General, HospitalLocation.Township, true),
        ("0", HospitalKind.General, HospitalLocation.Township, true),
    ];

    // Rotates across regions so that together they hold every level, kind and location.
    private static readonly (string Level, HospitalKind Kind, HospitalLocation Location, bool Grassroots)[] Extra =
    [
        ("3A", HospitalKind.Tcm, HospitalLocation.City, false),
        ("3A", HospitalKind.MaternalChild, HospitalLocation.City, false),
        ("3B", HospitalKind.General, HospitalLocation.City, false),
        ("3", HospitalKind.Psychiatric, HospitalLocation.City, false),
        ("2A", HospitalKind.Tcm, HospitalLocation.County, false),
        ("2B", HospitalKind.MaternalChild, HospitalLocation.County, false),
        ("2", HospitalKind.Rehab, HospitalLocation.County, false),
        ("1B", HospitalKind.General, HospitalLocation.Township, true),
        ("3C", HospitalKind.Specialty, HospitalLocation.City, false),
        ("2C", HospitalKind.General, HospitalLocation.County, false),
        ("1", HospitalKind.General, HospitalLocation.Township, true),
        ("1C", HospitalKind.Tcm, HospitalLocation.Township, true),
        ("2B", HospitalKind.General, HospitalLocation.County, false),
        ("3B", HospitalKind.Rehab, HospitalLocation.City, false),
        ("2", HospitalKind.Specialty, HospitalLocation.County, false),
        ("0", HospitalKind.General, HospitalLocation.Township, true),
        ("3", HospitalKind.General, HospitalLocation.City, false),
        ("2A", HospitalKind.General, HospitalLocation.County, false),
    ];

    private static readonly string[] Towns = ["城关镇", "城东街道", "城西街道", "南湖镇", "北岭乡", "东山镇", "西园镇", "新城街道", "白石乡", "青山镇", "石门乡", "长桥镇"];
    private static readonly string[] Specialties = ["肿瘤医院", "眼科医院", "骨伤科医院", "心血管病医院", "口腔医院"];
    private static readonly string[] CityGenerals = ["第一医院", "人民医院", "第二医院", "第五医院", "第六医院"];

    private readonly List<Hospital> _hospitals = [];
    private readonly List<int> _volume = [];
    private readonly Dictionary<string, int> _nameCount = new(StringComparer.Ordinal);
    private int _serial = 100;

    public HospitalBuilder(GeneratorOptions options)
    {
        var rng = new Rng(options.Seed, 0x4853);
        var regions = options.Regions;
        var extra = 0;
        var homeRanges = new (int Start, int End)[regions.Count];
        for (var r = 0; r < regions.Count; r++)
        {
            var region = regions[r];
            var n = (options.HospitalCount / regions.Count) + (r < options.HospitalCount % regions.Count ? 1 : 0);
            var start = _hospitals.Count;
            for (var j = 0; j < n; j++)
            {
                var p = j < Core.Length ? Core[j] : Extra[extra++ % Extra.Length];
                var site = PickSite(region, p.Location, ref rng);
                var payment = PickPayment(p.Location, ref rng);
                var drgCharge = p.Level == "3A" && p.Kind == HospitalKind.General && rng.Chance(0.3);
                Add(site, region.Name, p.Level, p.Kind, p.Location, p.Grassroots, payment, drgCharge);
            }

            homeRanges[r] = (start, _hospitals.Count);
        }

        // Guarantee that every payment_method spelling occurs (DIP, DRG, FFS and empty = region default).
        EnsurePayment(PaymentMethod.Dip, 0);
        EnsurePayment(PaymentMethod.Drg, 1);
        EnsurePayment(PaymentMethod.Ffs, 2);
        EnsurePayment(PaymentMethod.Default, 3);

        var centreRanges = new (int Start, int End)[regions.Count];
        for (var r = 0; r < regions.Count; r++)
        {
            var start = _hospitals.Count;
            AddDestination(regions[r].ReferralCentre);
            centreRanges[r] = (start, _hospitals.Count);
        }

        var outStart = _hospitals.Count;
        AddDestination(options.OutOfProvinceSite);
        var outRange = (outStart, _hospitals.Count);

        Hospitals = [.. _hospitals];
        Local = new WeightedTable[regions.Count * Groups];
        OutOfCity = new WeightedTable[regions.Count * Groups];
        OutOfProvince = new WeightedTable[regions.Count * Groups];
        for (var r = 0; r < regions.Count; r++)
        {
            var province = regions[r].Code[..2];
            var home = Range(homeRanges[r]);
            var centre = Range(centreRanges[r]);
            var other = new List<int>();
            for (var h = 0; h < Hospitals.Length; h++)
            {
                if (!Hospitals[h].RegionCode.StartsWith(province, StringComparison.Ordinal) && Hospitals[h].Level.Tier == 3)
                {
                    other.Add(h);
                }
            }

            if (other.Count == 0)
            {
                other.AddRange(Range(outRange));
            }

            for (var g = 0; g < Groups; g++)
            {
                Local[(r * Groups) + g] = Table(home, (CareGroup)g);
                OutOfCity[(r * Groups) + g] = centre.Count == 0 ? Local[(r * Groups) + g] : Table(centre, (CareGroup)g);
                OutOfProvince[(r * Groups) + g] = Table(other, (CareGroup)g);
            }
        }
    }

    public Hospital[] Hospitals { get; }

    /// <summary>Index region × <see cref="Groups"/> + group.</summary>
    public WeightedTable[] Local { get; }

    public WeightedTable[] OutOfCity { get; }

    public WeightedTable[] OutOfProvince { get; }

    private static List<int> Range((int Start, int End) r) => [.. Enumerable.Range(r.Start, r.End - r.Start)];

    private WeightedTable Table(List<int> candidates, CareGroup group)
    {
        var w = new long[candidates.Count];
        var any = false;
        for (var i = 0; i < candidates.Count; i++)
        {
            w[i] = Weight(Hospitals[candidates[i]], _volume[candidates[i]], group);
            any |= w[i] > 0;
        }

        if (!any && group != CareGroup.GeneralAll)
        {
            return Table(candidates, group == CareGroup.GeneralHigh ? CareGroup.GeneralAll : CareGroup.GeneralHigh);
        }

        if (!any)
        {
            for (var i = 0; i < candidates.Count; i++)
            {
                w[i] = _volume[candidates[i]];
            }
        }

        return new WeightedTable(candidates, w);
    }

    /// <summary>Relative case volume of a hospital for a care group (bigger hospitals treat more).</summary>
    private static long Weight(Hospital h, int volume, CareGroup group)
    {
        var general = h.Kind is HospitalKind.General or HospitalKind.Tcm or HospitalKind.Specialty;
        var high = h.Level.Tier >= 2 && h.Location != HospitalLocation.Township;
        return group switch
        {
            CareGroup.GeneralAll => general ? volume * 10L : 0,
            CareGroup.GeneralHigh => general && high ? volume * 10L : 0,
            CareGroup.Maternal => h.Kind == HospitalKind.MaternalChild ? volume * 30L : h.Kind == HospitalKind.General && high ? volume * 10L : 0,
            CareGroup.Psychiatric => h.Kind == HospitalKind.Psychiatric ? volume * 50L : h.Kind == HospitalKind.General && high ? volume * 2L : 0,
            CareGroup.Rehabilitation => h.Kind == HospitalKind.Rehab ? volume * 40L : h.Kind is HospitalKind.General or HospitalKind.Tcm ? volume * 5L : 0,
            _ => 0,
        };
    }

    private static int Volume(string level) => level switch
    {
        "3A" => 100,
        "3B" => 60,
        "3C" => 40,
        "3" => 50,
        "2A" => 30,
        "2B" => 22,
        "2C" => 15,
        "2" => 15,
        "1A" => 6,
        "1B" => 5,
        "1C" => 4,
        "1" => 4,
        _ => 3,
    };

    private static GeneratorSite PickSite(GeneratorRegion region, HospitalLocation location, ref Rng rng)
    {
        var sites = region.Sites;
        var urban = sites.Where(s => s.Urban).ToList();
        var rural = sites.Where(s => !s.Urban).ToList();
        return location switch
        {
            HospitalLocation.City => urban.Count > 0 ? urban[rng.Below(urban.Count)] : sites[0],
            HospitalLocation.County => rural.Count > 0 ? rural[rng.Below(rural.Count)] : sites[rng.Below(sites.Count)],
            _ => sites[rng.Below(sites.Count)],
        };
    }

    private static PaymentMethod PickPayment(HospitalLocation location, ref Rng rng)
    {
        var u = rng.Below(100);
        if (location == HospitalLocation.Township)
        {
            return u < 35 ? PaymentMethod.Ffs : PaymentMethod.Default;
        }

        return u < 60 ? PaymentMethod.Default : u < 75 ? PaymentMethod.Dip : u < 90 ? PaymentMethod.Drg : PaymentMethod.Ffs;
    }

    private void EnsurePayment(PaymentMethod method, int preferred)
    {
        if (_hospitals.Any(h => h.PaymentMethod == method) || _hospitals.Count == 0)
        {
            return;
        }

        var i = Math.Min(preferred, _hospitals.Count - 1);
        _hospitals[i] = _hospitals[i] with { PaymentMethod = method };
    }

    /// <summary>Three tier-3 hospitals at a referral destination: a general hospital that bills by DRG (DRG 收付费), a specialty and a maternal-child one.</summary>
    private void AddDestination(GeneratorSite site)
    {
        var city = CityOf(site.Name);
        AddNamed(site, city + "第一人民医院", "3A", HospitalKind.General, HospitalLocation.City, false, PaymentMethod.Drg, true);
        AddNamed(site, city + "肿瘤医院", "3A", HospitalKind.Specialty, HospitalLocation.City, false, PaymentMethod.Default, false);
        AddNamed(site, city + "儿童医院", "3A", HospitalKind.MaternalChild, HospitalLocation.City, false, PaymentMethod.Dip, false);
    }

    private static string CityOf(string siteName)
    {
        var i = siteName.IndexOf('市', StringComparison.Ordinal);
        return i > 0 ? siteName[..(i + 1)] : siteName;
    }

    private void Add(GeneratorSite site, string regionName, string level, HospitalKind kind, HospitalLocation location, bool grassroots, PaymentMethod payment, bool drgCharge)
    {
        var city = regionName + "市";
        var county = site.Name;
        var town = Towns[_hospitals.Count % Towns.Length];
        var name = (kind, location) switch
        {
            (HospitalKind.General, HospitalLocation.City) => city + CityGenerals[_hospitals.Count(h => h.Kind == HospitalKind.General && h.Location == HospitalLocation.City && h.RegionCode[..4] == site.Code[..4]) % CityGenerals.Length],
            (HospitalKind.General, HospitalLocation.County) => county + "医院",
            (HospitalKind.General, _) => county + town + (town.EndsWith("街道", StringComparison.Ordinal) ? "社区卫生服务中心" : "卫生院"),
            (HospitalKind.Tcm, HospitalLocation.City) => city + "中医院",
            (HospitalKind.Tcm, HospitalLocation.County) => county + "中医院",
            (HospitalKind.Tcm, _) => county + town + "中医馆卫生院",

            // One name with a comma and one with quotes, so hospitals.csv exercises RFC 4180 quoting.
            (HospitalKind.MaternalChild, HospitalLocation.City) => city + "妇幼保健院, " + city + "儿童医院",
            (HospitalKind.MaternalChild, _) => county + "妇幼保健院",
            (HospitalKind.Psychiatric, _) => city + "第三医院（精神卫生中心）",
            (HospitalKind.Rehab, HospitalLocation.City) => city + "康复医院",
            (HospitalKind.Rehab, _) => county + "\"医共体\"康复医院",
            (HospitalKind.Specialty, HospitalLocation.City) => city + Specialties[_hospitals.Count % Specialties.Length],
            _ => county + Specialties[_hospitals.Count % Specialties.Length],
        };
        AddNamed(site, name, level, kind, location, grassroots, payment, drgCharge);
    }

    private void AddNamed(GeneratorSite site, string name, string level, HospitalKind kind, HospitalLocation location, bool grassroots, PaymentMethod payment, bool drgCharge)
    {
        // Same-name hospitals get a branch number so names stay unique (not required, but readable).
        var n = _nameCount.TryGetValue(name, out var c) ? c + 1 : 1;
        _nameCount[name] = n;
        if (n > 1)
        {
            name += "（第" + n.ToString(System.Globalization.CultureInfo.InvariantCulture) + "院区）";
        }

        _serial++;
        var id = "H" + site.Code + _serial.ToString("D5", System.Globalization.CultureInfo.InvariantCulture);
        if (!HospitalLevel.TryParse(level, out var lv))
        {
            throw new InvalidOperationException("bad built-in level " + level);
        }

        _hospitals.Add(new Hospital(id, name, site.Code, lv, kind, location, grassroots, payment, drgCharge));
        _volume.Add(Volume(level));
    }
}
