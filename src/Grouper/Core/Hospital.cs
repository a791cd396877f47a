namespace Grouper.Core;

/// <summary>Hospital tier (级) and grade (等): <c>3A</c> 三级甲等 … <c>0</c> no tier.</summary>
public readonly record struct HospitalLevel(byte Tier, char Grade)
{
    /// <summary>Grade letter, or <c>'\0'</c> when unrated.</summary>
    public bool IsRated => Grade != '\0';

    public static bool TryParse(string text, out HospitalLevel level)
    {
        level = default;
        if (text.Length is < 1 or > 2 || text[0] is < '0' or > '3')
        {
            return false;
        }

        var tier = (byte)(text[0] - '0');
        if (text.Length == 1)
        {
            level = new HospitalLevel(tier, '\0');
            return true;
        }

        if (tier == 0 || text[1] is not ('A' or 'B' or 'C'))
        {
            return false;
        }

        level = new HospitalLevel(tier, text[1]);
        return true;
    }

    /// <summary>
    /// DIP grade group (clearing.md step 1): tier + grade, unrated tier 2/3 counted as grade B
    /// (seed 001); tier 1 and tier 0 one group each.
    /// </summary>
    public string GradeGroup => Tier switch
    {
        >= 2 => $"{Tier}{(IsRated ? Grade : 'B')}",
        _ => Tier.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public override string ToString() => IsRated ? $"{Tier}{Grade}" : Tier.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One designated institution (定点医疗机构) from hospitals.csv.</summary>
public sealed record Hospital(
    string HospitalId,
    string Name,
    string RegionCode,
    HospitalLevel Level,
    HospitalKind Kind,
    HospitalLocation Location,
    bool IsGrassroots,
    PaymentMethod PaymentMethod,
    bool DrgCharge)
{
    /// <summary>Pooling region (统筹区): prefecture code, first 4 digits + "00".</summary>
    public string PoolingRegion => RegionCode[..4] + "00";

    /// <summary>Province code: first 2 digits + "0000".</summary>
    public string Province => RegionCode[..2] + "0000";
}
