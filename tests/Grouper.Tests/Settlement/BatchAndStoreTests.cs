using CsCheck;
using Grouper.Core;
using Grouper.Settlement;
using static Grouper.Tests.Settlement.SettlementFixture;

namespace Grouper.Tests.Settlement;

/// <summary>Batch ordering, year-to-date state and its SQLite store.</summary>
public class BatchAndStoreTests
{
    private static readonly Gen<SettlementCase> GenCase =
        from person in Gen.Int[0, 11]
        from day in Gen.Int[0, 729]
        from loc in Gen.Int[1, 3]
        from cls in Gen.Int[0, 7]
        from total in Gen.Long[100, 15_000_000]
        from policyShare in Gen.Int[50, 100]
        select new SettlementCase
        {
            PersonId = "P" + person.ToString("00", System.Globalization.CultureInfo.InvariantCulture),
            CaseId = string.Empty,
            Input = Case(new DateOnly(2024, 1, 1).AddDays(day).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                total: total / 100m, policy: total * policyShare / 100 / 100m, full: 0m, partial: 0m,
                location: (HospitalLocation)loc, cls: (AssistanceClass)cls),
        };

    /// <summary>Seeded Xinyang cases (12 persons, 2024–2025) with unique case ids.</summary>
    private static SettlementCase[] Batch(int n, ulong seed)
    {
        var list = ChainPropertyTests.Seeded(GenCase, n, seed);
        var arr = new SettlementCase[n];
        for (var i = 0; i < n; i++)
        {
            arr[i] = list[i];
            arr[i].CaseId = "C" + ((i * 7919) % 100000).ToString("00000", System.Globalization.CultureInfo.InvariantCulture);
        }

        return arr;
    }

    private static Dictionary<string, ChainResult> ByCase(SettlementCase[] cases, CaseSettlement[] results)
    {
        var d = new Dictionary<string, ChainResult>();
        for (var i = 0; i < cases.Length; i++)
        {
            Assert.Equal(SettlementStatus.Settled, results[i].Status);
            d[cases[i].CaseId] = results[i].Result;
        }

        return d;
    }

    [Fact]
    public void Results_do_not_depend_on_input_order()
    {
        var cases = Batch(400, 11);
        var states1 = new Dictionary<PersonYearKey, PersonYearState>();
        var results1 = new CaseSettlement[cases.Length];
        SettlementBatch.Apply(Store, Xinyang, cases, states1, results1);

        var shuffled = (SettlementCase[])cases.Clone();
        new Random(5).Shuffle(shuffled);
        var states2 = new Dictionary<PersonYearKey, PersonYearState>();
        var results2 = new CaseSettlement[cases.Length];
        SettlementBatch.Apply(Store, Xinyang, shuffled, states2, results2);

        var a = ByCase(cases, results1);
        var b = ByCase(shuffled, results2);
        foreach (var (id, r) in a)
        {
            Assert.Equal(r, b[id]);
        }

        Assert.Equal(states1.Count, states2.Count);
        foreach (var (k, s) in states1)
        {
            Assert.Equal(s, states2[k]);
        }

        // Each person's cases were applied in (date, case id) order within each year: admissions 1, 2, 3 ….
        foreach (var group in cases.GroupBy(c => (c.PersonId, c.Input.DischargeDate.Year)))
        {
            var n = 0;
            foreach (var c in group.OrderBy(c => c.Input.DischargeDate).ThenBy(c => c.CaseId, StringComparer.Ordinal))
            {
                Assert.Equal(++n, a[c.CaseId].AdmissionNumber);
            }
        }
    }

    [Fact]
    public void One_batch_of_2N_equals_two_batches_of_N()
    {
        var cases = Batch(600, 23);
        var order = SettlementBatch.Order(cases);
        var first = order.Take(300).Select(i => cases[i]).ToArray();
        var second = order.Skip(300).Select(i => cases[i]).ToArray();

        var all = new Dictionary<PersonYearKey, PersonYearState>();
        var rAll = new CaseSettlement[cases.Length];
        SettlementBatch.Apply(Store, Xinyang, cases, all, rAll);

        var split = new Dictionary<PersonYearKey, PersonYearState>();
        var r1 = new CaseSettlement[300];
        var r2 = new CaseSettlement[300];
        SettlementBatch.Apply(Store, Xinyang, first, split, r1);
        SettlementBatch.Apply(Store, Xinyang, second, split, r2);

        Assert.Equal(all.OrderBy(kv => kv.Key.PersonId + kv.Key.Year), split.OrderBy(kv => kv.Key.PersonId + kv.Key.Year));
        var byCase = ByCase(cases, rAll);
        foreach (var (id, r) in ByCase(first, r1).Concat(ByCase(second, r2)))
        {
            Assert.Equal(byCase[id], r);
        }
    }

    [Fact]
    public void State_is_per_calendar_year_and_missing_policy_leaves_it_untouched()
    {
        SettlementCase C(string id, string date) => new() { PersonId = "X", CaseId = id, Input = Case(date) };
        var cases = new[] { C("b", "2024-01-02"), C("a", "2023-12-30"), C("c", "2024-01-02"), C("d", "2023-12-31") };
        var states = new Dictionary<PersonYearKey, PersonYearState>();
        var results = new CaseSettlement[cases.Length];
        SettlementBatch.Apply(Store, Ningde, cases, states, results);
        Assert.Equal(1, results[1].Result.AdmissionNumber); // a, 2023-12-30
        Assert.Equal(2, results[3].Result.AdmissionNumber); // d, 2023-12-31
        Assert.Equal(1, results[0].Result.AdmissionNumber); // b, 2024 restarts
        Assert.Equal(2, results[2].Result.AdmissionNumber); // c, same date, later case id
        Assert.Equal(Fen(500m), results[0].Result.DeductibleFen);
        Assert.Equal(Fen(400m), results[2].Result.DeductibleFen);
        Assert.Equal(2, states[new PersonYearKey("X", InsuranceType.Resident, 2023)].Admissions);

        Assert.All(results, r => Assert.False(r.Late));
        Assert.Equal(D("2023-12-31"), states[new PersonYearKey("X", InsuranceType.Resident, 2023)].LastDischarge);

        // A later run bringing an older case of the same year: settled after, flagged late.
        var older = new[] { C("e", "2023-12-01") };
        var lateResult = new CaseSettlement[1];
        SettlementBatch.Apply(Store, Ningde, older, states, lateResult);
        Assert.True(lateResult[0].Late);
        Assert.Equal(3, lateResult[0].Result.AdmissionNumber);
        Assert.Equal(D("2023-12-31"), states[new PersonYearKey("X", InsuranceType.Resident, 2023)].LastDischarge);

        var none = new[] { new SettlementCase { PersonId = "Y", CaseId = "z", Input = Case("2023-05-01") } };
        var st = new Dictionary<PersonYearKey, PersonYearState>();
        var rs = new CaseSettlement[1];
        SettlementBatch.Apply(Store, Xinyang, none, st, rs);
        Assert.Equal(SettlementStatus.NoPolicy, rs[0].Status);
        Assert.Empty(st);
    }

    [Theory]
    [InlineData(0)] // look keys up through the temporary table (the table is never that small)
    [InlineData(1_000_000)] // scan the whole table
    public void Store_commits_once_per_run_and_reloads_states(int scanFactor)
    {
        var path = Path.Combine(TestPaths.NewTempDir("ytd"), "ytd.db");
        var cases = Batch(200, 31);
        var order = SettlementBatch.Order(cases);
        var first = order.Take(100).Select(i => cases[i]).ToArray();
        var second = order.Skip(100).Select(i => cases[i]).ToArray();

        // In memory, one batch.
        var expected = new Dictionary<PersonYearKey, PersonYearState>();
        SettlementBatch.Apply(Store, Xinyang, cases, expected, new CaseSettlement[cases.Length]);

        using (var store = YearToDateStore.Open(path))
        {
            store.ScanFactor = scanFactor;
            Assert.Equal(RunStatus.New, store.CheckRun("run-1", "h1"));
            var s1 = store.Load(SettlementBatch.Keys(first));
            SettlementBatch.Apply(Store, Xinyang, first, s1, new CaseSettlement[first.Length]);
            Assert.True(store.Commit("run-1", "h1", s1, first.Length));

            // Re-running the same run: detected, nothing counted twice.
            Assert.Equal(RunStatus.AlreadyCommitted, store.CheckRun("run-1", "h1"));
            var again = store.Load(SettlementBatch.Keys(first));
            SettlementBatch.Apply(Store, Xinyang, first, again, new CaseSettlement[first.Length]);
            Assert.False(store.Commit("run-1", "h1", again, first.Length));
            Assert.Equal(RunStatus.Conflict, store.CheckRun("run-1", "other-hash"));
            Assert.Equal(RunStatus.Conflict, store.CheckRun("run-1b", "h1"));
            Assert.Throws<InvalidOperationException>(() => store.Commit("run-1b", "h1", again, first.Length));
        }

        using (var store = YearToDateStore.Open(path))
        {
            store.ScanFactor = scanFactor;
            var s2 = store.Load(SettlementBatch.Keys(second));
            SettlementBatch.Apply(Store, Xinyang, second, s2, new CaseSettlement[second.Length]);
            Assert.True(store.Commit("run-2", "h2", s2, second.Length));

            var reloaded = store.Load(expected.Keys);
            foreach (var (k, s) in expected)
            {
                Assert.Equal(s, reloaded[k]);
            }

            Assert.Equal(2, store.Counts().Runs);
        }
    }

    [Fact]
    public void A_run_failing_midway_leaves_the_store_as_before()
    {
        var path = Path.Combine(TestPaths.NewTempDir("ytd"), "ytd.db");
        using var store = YearToDateStore.Open(path);
        var k1 = new PersonYearKey("A", InsuranceType.Resident, 2024);
        var k2 = new PersonYearKey("B", InsuranceType.Resident, 2024);
        Assert.True(store.Commit("r1", "h1", [new(k1, new PersonYearState { Admissions = 1, BasicFundPaidFen = 100 })], 1));

        IEnumerable<KeyValuePair<PersonYearKey, PersonYearState>> Failing()
        {
            yield return new(k1, new PersonYearState { Admissions = 2, BasicFundPaidFen = 200 });
            yield return new(k2, new PersonYearState { Admissions = 1 });
            throw new IOException("disk gone");
        }

        Assert.Throws<IOException>(() => store.Commit("r2", "h2", Failing(), 2));
        var s = store.Load([k1, k2]);
        Assert.Equal(new PersonYearState { Admissions = 1, BasicFundPaidFen = 100 }, s[k1]);
        Assert.Equal(default, s[k2]);
        Assert.Equal(RunStatus.New, store.CheckRun("r2", "h2"));
        Assert.Equal((1L, 1L), store.Counts());
        Assert.True(store.Commit("r3", "h3", [new(k2, new PersonYearState { Admissions = 1, LastDischarge = new DateOnly(2024, 5, 6) })], 1));
        Assert.Equal(new DateOnly(2024, 5, 6), store.Load([k2])[k2].LastDischarge);
    }

    [Fact]
    public void Apply_allocates_nothing_per_case()
    {
        var policy = Policy(Xinyang, "2024-08-20");
        var input = Case("2024-08-20", total: 120000m, policy: 120000m, full: 0, partial: 0, referral: ReferralStatus.Registered, cls: AssistanceClass.NearMinimumLivelihood);
        var s = default(PersonYearState);
        PatientChain.Apply(policy, input, ref s, out _);
        long sum = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            var st = new PersonYearState { AssistancePaidFen = 130000, TiltBaseFen = 310000, CumulativeS1Fen = 440000, Admissions = 1 };
            PatientChain.Apply(policy, input, ref st, out var r);
            sum += r.PatientFen;
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(10_000L * Fen(11207.20m), sum);
    }

    [Fact]
    public void Chain_input_from_a_record_and_its_hospital()
    {
        Assert.True(HospitalLevel.TryParse("2A", out var level));
        var hospital = new Hospital("H1", "County TCM", "350921", level, HospitalKind.Tcm, HospitalLocation.County, false, PaymentMethod.Default, false);
        var rec = new Grouper.Ingest.DischargeRecord
        {
            InsuranceType = InsuranceType.Resident,
            CareLocation = CareLocation.Local,
            DischargeDate = D("2024-03-01"),
            PrincipalDx = Code.Parse("J18.900"),
            TotalCostFen = Fen(6600m),
            PolicyCostFen = Fen(6000m),
            FullSelfPayFen = Fen(600m),
        };
        var input = ChainInput.From(rec, hospital);
        var s = new PersonYearState { Admissions = 1 };
        var r = Settle(Ningde, input, ref s); // worked example 8
        Assert.Equal(Fen(240m), r.DeductibleFen);
        Assert.Equal(Fen(4608m), r.BasicFundFen);
        Assert.Equal(Fen(1992m), r.PatientFen);
        Assert.Equal(PaymentMethod.Dip, HospitalPayment.MethodOf(Policy(Ningde, "2024-03-01"), hospital.PaymentMethod));
    }
}
