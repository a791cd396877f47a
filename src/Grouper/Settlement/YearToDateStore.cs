using System.Globalization;
using Grouper.Core;
using Microsoft.Data.Sqlite;

namespace Grouper.Settlement;

/// <summary>Key of a year-to-date state: person, insurance type, calendar year of discharge.</summary>
public readonly record struct PersonYearKey(string PersonId, InsuranceType Insurance, int Year)
{
    /// <summary>Ordinal order: person id, insurance type, year.</summary>
    public static readonly Comparison<PersonYearKey> Compare = static (a, b) =>
    {
        var c = string.CompareOrdinal(a.PersonId, b.PersonId);
        if (c != 0)
        {
            return c;
        }

        c = a.Insurance.CompareTo(b.Insurance);
        return c != 0 ? c : a.Year.CompareTo(b.Year);
    };
}

/// <summary>What <see cref="YearToDateStore.CheckRun"/> finds for a run.</summary>
public enum RunStatus
{
    /// <summary>Neither the run id nor the input hash was committed: settle and commit.</summary>
    New = 0,

    /// <summary>This run id with this input hash is committed: its states are already counted; skip.</summary>
    AlreadyCommitted = 1,

    /// <summary>The run id was committed with another input hash, or the input hash under another run id: refuse.</summary>
    Conflict = 2,
}

/// <summary>
/// Year-to-date states (<see cref="PersonYearState"/>) in SQLite (WAL). A run loads the states of
/// its persons, settles, and commits all updated states together with its run record (run id,
/// input hash) in ONE transaction: a run either counts fully or not at all, and a run id or input
/// already committed is never counted twice (<see cref="Commit"/> is a no-op for the same run id and
/// hash, and refuses a run id or input hash seen with a different partner).
/// One instance holds one connection: use it from one thread.
/// </summary>
public sealed class YearToDateStore : IDisposable
{
    private readonly SqliteConnection connection;

    private YearToDateStore(SqliteConnection connection) => this.connection = connection;

    public static YearToDateStore Open(string path)
    {
        if (!File.Exists(path) && !OperatingSystem.IsWindows())
        {
            // Health-data state is readable by the owner only; SQLite gives its -wal/-shm files the same mode.
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (dir is not null)
            {
                Directory.CreateDirectory(dir);
            }

            using (new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
            {
            }
        }

        var cs = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
        var c = new SqliteConnection(cs);
        c.Open();
        Exec(c, "PRAGMA journal_mode=WAL;");
        Exec(c, "PRAGMA synchronous=FULL;");
        Exec(c, "PRAGMA temp_store=MEMORY;");
        Exec(c, """
            CREATE TABLE IF NOT EXISTS person_year (
              person_id TEXT NOT NULL, insurance INTEGER NOT NULL, year INTEGER NOT NULL,
              admissions INTEGER NOT NULL, basic_fund_paid INTEGER NOT NULL, cumulative_s1 INTEGER NOT NULL,
              ci_paid INTEGER NOT NULL, assistance_deductible_used INTEGER NOT NULL, assistance_paid INTEGER NOT NULL,
              tilt_base INTEGER NOT NULL, tilt_base_used INTEGER NOT NULL, tilt_paid INTEGER NOT NULL,
              last_discharge INTEGER NOT NULL, last_run_id TEXT NOT NULL,
              PRIMARY KEY (person_id, insurance, year)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS run (
              run_id TEXT NOT NULL PRIMARY KEY, input_hash TEXT NOT NULL UNIQUE,
              states INTEGER NOT NULL, cases INTEGER NOT NULL);
            """);
        return new YearToDateStore(c);
    }

    /// <summary>States of the given keys; a key never seen has the zero state.</summary>
    /// <remarks>Either one scan of the table or, when the table is much larger than the run, the keys in a temporary table joined once; never one query per key.</remarks>
    public Dictionary<PersonYearKey, PersonYearState> Load(IEnumerable<PersonYearKey> keys)
    {
        var result = new Dictionary<PersonYearKey, PersonYearState>();
        foreach (var key in keys)
        {
            result.TryAdd(key, default);
        }

        using var tx = connection.BeginTransaction(deferred: false);
        if (result.Count == 0)
        {
            tx.Commit();
            return result;
        }

        // A run that touches a large share of the stored persons (a first run, a month, a year)
        // reads the table once and keeps what it needs; a small run (a night) looks its keys up.
        // Both give the same dictionary; only the cost differs.
        var scanLimit = (long)result.Count * ScanFactor;
        if (CountStatesUpTo(tx, scanLimit + 1) <= scanLimit)
        {
            using var scan = connection.CreateCommand();
            scan.Transaction = tx;
            scan.CommandText = "SELECT " + StateColumns + " FROM person_year s";
            ReadStates(scan, result, onlyKnownKeys: true);
            tx.Commit();
            return result;
        }

        Exec(connection, tx, "CREATE TEMP TABLE IF NOT EXISTS wanted (person_id TEXT NOT NULL, insurance INTEGER NOT NULL, year INTEGER NOT NULL, PRIMARY KEY (person_id, insurance, year)) WITHOUT ROWID; DELETE FROM wanted;");
        using (var ins = connection.CreateCommand())
        {
            ins.Transaction = tx;
            ins.CommandText = "INSERT OR IGNORE INTO wanted VALUES ($p, $i, $y)";
            var p = ins.Parameters.Add("$p", SqliteType.Text);
            var i = ins.Parameters.Add("$i", SqliteType.Integer);
            var y = ins.Parameters.Add("$y", SqliteType.Integer);
            ins.Prepare();
            foreach (var key in result.Keys)
            {
                p.Value = key.PersonId;
                i.Value = (int)key.Insurance;
                y.Value = key.Year;
                ins.ExecuteNonQuery();
            }
        }

        using (var cmd = connection.CreateCommand())
        {
            cmd.Transaction = tx;
            cmd.CommandText = "SELECT " + StateColumns + """
                 FROM wanted w JOIN person_year s
                  ON s.person_id = w.person_id AND s.insurance = w.insurance AND s.year = w.year
                """;
            ReadStates(cmd, result, onlyKnownKeys: false);
        }

        Exec(connection, tx, "DELETE FROM wanted;");
        tx.Commit();
        return result;
    }

    /// <summary>Scan the whole table when it holds at most this many states per key wanted.</summary>
    internal int ScanFactor { get; set; } = 4;

    private const string StateColumns = """
        s.person_id, s.insurance, s.year, admissions, basic_fund_paid, cumulative_s1, ci_paid,
        assistance_deductible_used, assistance_paid, tilt_base, tilt_base_used, tilt_paid, last_discharge
        """;

    /// <summary>The number of stored states, counted no further than <paramref name="limit"/>: a small run
    /// against a large state pays for its own size, not for a count of the whole table.</summary>
    private long CountStatesUpTo(SqliteTransaction tx, long limit)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT COUNT(*) FROM (SELECT 1 FROM person_year LIMIT $limit)";
        cmd.Parameters.AddWithValue("$limit", limit);
        return (long)cmd.ExecuteScalar()!;
    }

    private static void ReadStates(SqliteCommand cmd, Dictionary<PersonYearKey, PersonYearState> result, bool onlyKnownKeys)
    {
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            var key = new PersonYearKey(r.GetString(0), (InsuranceType)r.GetInt32(1), r.GetInt32(2));
            if (onlyKnownKeys && !result.ContainsKey(key))
            {
                continue;
            }

            result[key] = new PersonYearState
            {
                Admissions = r.GetInt32(3),
                BasicFundPaidFen = r.GetInt64(4),
                CumulativeS1Fen = r.GetInt64(5),
                CriticalIllnessPaidFen = r.GetInt64(6),
                AssistanceDeductibleUsedFen = r.GetInt64(7),
                AssistancePaidFen = r.GetInt64(8),
                TiltBaseFen = r.GetInt64(9),
                TiltBaseUsedFen = r.GetInt64(10),
                TiltPaidFen = r.GetInt64(11),
                LastDischarge = DateOnly.FromDayNumber(r.GetInt32(12)),
            };
        }
    }

    /// <summary>Whether the run may be settled (<see cref="RunStatus.New"/>) or was already counted.</summary>
    public RunStatus CheckRun(string runId, string inputHash) => CheckRun(runId, inputHash, null);

    /// <summary>
    /// Commits the updated <paramref name="states"/> and the run record in one transaction. Returns
    /// false (and writes nothing) when this run id with this hash is already committed; throws
    /// <see cref="InvalidOperationException"/> on a <see cref="RunStatus.Conflict"/>. Any exception
    /// while writing rolls everything back: the store stays as before the run.
    /// </summary>
    public bool Commit(string runId, string inputHash, IEnumerable<KeyValuePair<PersonYearKey, PersonYearState>> states, long caseCount)
    {
        using var tx = connection.BeginTransaction(deferred: false);
        switch (CheckRun(runId, inputHash, tx))
        {
            case RunStatus.AlreadyCommitted:
                return false;
            case RunStatus.Conflict:
                throw new InvalidOperationException($"run '{runId}' / input hash '{inputHash}' conflicts with a committed run: refusing to count it twice");
        }

        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT INTO person_year VALUES ($p, $i, $y, $a, $b, $c, $d, $e, $f, $g, $h, $k, $l, $run)
            ON CONFLICT (person_id, insurance, year) DO UPDATE SET
              admissions = excluded.admissions, basic_fund_paid = excluded.basic_fund_paid,
              cumulative_s1 = excluded.cumulative_s1, ci_paid = excluded.ci_paid,
              assistance_deductible_used = excluded.assistance_deductible_used,
              assistance_paid = excluded.assistance_paid, tilt_base = excluded.tilt_base,
              tilt_base_used = excluded.tilt_base_used, tilt_paid = excluded.tilt_paid,
              last_discharge = excluded.last_discharge, last_run_id = excluded.last_run_id
            """;
        var names = new[] { "$p", "$i", "$y", "$a", "$b", "$c", "$d", "$e", "$f", "$g", "$h", "$k", "$l", "$run" };
        var ps = new SqliteParameter[names.Length];
        for (var n = 0; n < names.Length; n++)
        {
            ps[n] = cmd.Parameters.Add(names[n], n is 0 or 13 ? SqliteType.Text : SqliteType.Integer);
        }

        ps[13].Value = runId;
        cmd.Prepare();
        var count = 0;
        foreach (var (key, s) in states)
        {
            ps[0].Value = key.PersonId;
            ps[1].Value = (int)key.Insurance;
            ps[2].Value = key.Year;
            ps[3].Value = s.Admissions;
            ps[4].Value = s.BasicFundPaidFen;
            ps[5].Value = s.CumulativeS1Fen;
            ps[6].Value = s.CriticalIllnessPaidFen;
            ps[7].Value = s.AssistanceDeductibleUsedFen;
            ps[8].Value = s.AssistancePaidFen;
            ps[9].Value = s.TiltBaseFen;
            ps[10].Value = s.TiltBaseUsedFen;
            ps[11].Value = s.TiltPaidFen;
            ps[12].Value = s.LastDischarge.DayNumber;
            cmd.ExecuteNonQuery();
            count++;
        }

        using var run = connection.CreateCommand();
        run.Transaction = tx;
        run.CommandText = "INSERT INTO run (run_id, input_hash, states, cases) VALUES ($r, $h, $s, $c)";
        run.Parameters.AddWithValue("$r", runId);
        run.Parameters.AddWithValue("$h", inputHash);
        run.Parameters.AddWithValue("$s", count);
        run.Parameters.AddWithValue("$c", caseCount);
        run.ExecuteNonQuery();
        tx.Commit();
        return true;
    }

    /// <summary>Number of committed runs and stored states (for reports and tests).</summary>
    public (long Runs, long States) Counts()
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT (SELECT COUNT(*) FROM run), (SELECT COUNT(*) FROM person_year)";
        using var r = cmd.ExecuteReader();
        r.Read();
        return (r.GetInt64(0), r.GetInt64(1));
    }

    public void Dispose() => connection.Dispose();

    private RunStatus CheckRun(string runId, string inputHash, SqliteTransaction? tx)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT run_id, input_hash FROM run WHERE run_id = $r OR input_hash = $h";
        cmd.Parameters.AddWithValue("$r", runId);
        cmd.Parameters.AddWithValue("$h", inputHash);
        using var r = cmd.ExecuteReader();
        var status = RunStatus.New;
        while (r.Read())
        {
            var same = r.GetString(0) == runId && r.GetString(1) == inputHash;
            status = same && status != RunStatus.Conflict ? RunStatus.AlreadyCommitted : RunStatus.Conflict;
        }

        return status;
    }

    private static void Exec(SqliteConnection c, string sql) => Exec(c, null, sql);

    private static void Exec(SqliteConnection c, SqliteTransaction? tx, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
