using Grouper.Core;

namespace Grouper.Generation.Internals;

/// <summary>One generated discharge before it is written (reused; no allocation per record).</summary>
internal sealed class CaseRow
{
    public long CaseNo;
    public int Hospital;
    public int PersonRegion;
    public long PersonNo;
    public InsuranceType Insurance;
    public AssistanceClass Assistance;
    public DateOnly Admit;
    public DateOnly Discharge;
    public Sex Sex;
    public int AgeYears;
    public int AgeDays = -1;
    public int BirthWeight = -1;
    public int AdmitWeight = -1;
    public DischargeMode Mode;
    public int Template;
    public int Dx;
    public readonly int[] Secondary = new int[48];
    public int SecondaryCount;
    public int Proc = -1;
    public readonly int[] Others = new int[48];
    public int OtherCount;

    /// <summary>Ventilation hours; −1 writes an empty field.</summary>
    public int Vent = -1;

    public long Total;
    public long Policy;
    public long Full;
    public long Partial;

    /// <summary>Money styles: 0 two decimals, 1 shortest form, 2 empty (zero optional amounts only).</summary>
    public byte TotalStyle;
    public byte PolicyStyle;
    public byte FullStyle;
    public byte PartialStyle;
    public CareLocation Care;
    public ReferralStatus Referral;

    /// <summary>Write <c>none</c> instead of an empty referral_status.</summary>
    public bool ReferralSpelled;

    /// <summary>Write secondary_dx as a quoted list with "; " separators (RFC 4180 quoting).</summary>
    public bool QuoteSecondary;

    /// <summary>0 none, 1 a space before sex, 2 a space after total_cost (values are trimmed).</summary>
    public byte Pad;

    public int LengthOfStay => Discharge.DayNumber - Admit.DayNumber;

    public bool HasCode(int id)
    {
        if (Proc == id)
        {
            return true;
        }

        for (var i = 0; i < OtherCount; i++)
        {
            if (Others[i] == id)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>One insured person, kept so later admissions reuse the id and stay consistent (出生日期, sex, insurance).</summary>
internal struct PersonState
{
    public long No;
    public int Region;
    public DateOnly Birth;
    public Sex Sex;
    public InsuranceType Insurance;
    public AssistanceClass Assistance;
    public int BirthWeight;
    public DateOnly LastDischarge;
    public int LastTemplate;
    public bool Died;
}
