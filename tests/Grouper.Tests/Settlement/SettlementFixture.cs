using Grouper.Core;
using Grouper.Settlement;

namespace Grouper.Tests.Settlement;

/// <summary>Sample policies and a small case builder shared by the settlement tests.</summary>
internal static class SettlementFixture
{
    public const string Ningde = "350900";
    public const string Xinyang = "411500";
    public const string Ningbo = "330200";

    private static readonly Lazy<PolicyStore> Lazy = new(() => PolicyStore.Load(PolicyDir));

    public static string PolicyDir => Path.Combine(TestPaths.SampleData, "policies");

    public static PolicyStore Store => Lazy.Value;

    public static long Fen(decimal yuan) => Money.ToFenExact(yuan);

    public static DateOnly D(string s) => DateOnly.ParseExact(s, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public static ResolvedPolicy Policy(string region, string date)
    {
        Assert.True(Store.TryResolve(region, D(date), out var p), $"no policy {region} {date}");
        return p;
    }

    /// <summary>Ningde worked-example case A by default: total 20,000, policy 17,000, full 2,000, class-B 1,000, local city 3A general, resident.</summary>
    public static ChainInput Case(
        string date,
        decimal total = 20000m,
        decimal policy = 17000m,
        decimal full = 2000m,
        decimal partial = 1000m,
        HospitalLocation location = HospitalLocation.City,
        string level = "3A",
        HospitalKind kind = HospitalKind.General,
        CareLocation care = CareLocation.Local,
        ReferralStatus referral = ReferralStatus.None,
        AssistanceClass cls = AssistanceClass.None,
        InsuranceType insurance = InsuranceType.Resident,
        bool drgCharge = false,
        bool grassroots = false,
        string dx = "J18.900")
    {
        Assert.True(HospitalLevel.TryParse(level, out var lv));
        return new ChainInput
        {
            InsuranceType = insurance,
            AssistanceClass = cls,
            CareLocation = care,
            ReferralStatus = referral,
            HospitalLocation = location,
            HospitalKind = kind,
            HospitalLevel = lv,
            IsGrassroots = grassroots,
            DrgCharge = drgCharge,
            PrincipalDx = Code.Parse(dx),
            TotalFen = Fen(total),
            PolicyFen = Fen(policy),
            FullSelfPayFen = Fen(full),
            PartialSelfPayFen = Fen(partial),
            DischargeDate = D(date),
        };
    }

    /// <summary>Applies the chain with the policy in force on the case date, checking the invariants every result must keep.</summary>
    public static ChainResult Settle(string region, in ChainInput input, ref PersonYearState state) =>
        Settle(Store, region, input, ref state);

    public static ChainResult Settle(PolicyStore store, string region, in ChainInput input, ref PersonYearState state)
    {
        Assert.True(store.TryResolve(region, input.DischargeDate, input.InsuranceType, out var policy));
        PatientChain.Apply(policy, input, ref state, out var r);
        AssertParts(input, r);
        return r;
    }

    public static void AssertParts(in ChainInput input, in ChainResult r)
    {
        Assert.True(r.BasicFundFen >= 0 && r.CriticalIllnessFen >= 0 && r.AssistanceFen >= 0 && r.TiltFen >= 0 && r.PatientFen >= 0);
        Assert.Equal(input.TotalFen, r.BasicFundFen + r.CriticalIllnessFen + r.AssistanceFen + r.TiltFen + r.PatientFen);
    }

    /// <summary>A copy of a sample policy with text replaced, in a fresh directory.</summary>
    public static PolicyStore Variant(string file, params (string From, string To)[] edits)
    {
        var text = File.ReadAllText(Path.Combine(PolicyDir, file));
        foreach (var (from, to) in edits)
        {
            Assert.Contains(from, text, StringComparison.Ordinal);
            text = text.Replace(from, to, StringComparison.Ordinal);
        }

        var dir = TestPaths.NewTempDir("policy");
        File.WriteAllText(Path.Combine(dir, file), text);
        return PolicyStore.Load(dir);
    }
}
