using System.Globalization;
using Grouper.Core;
using Grouper.Dip;

namespace Grouper.Benchmarks;

/// <summary>
/// Synthetic DIP history and cases for benchmarks: a few hundred diagnosis keys with skewed
/// frequencies, each with its own typical procedures so that keys recur and form core groups.
/// Deterministic (xorshift seeded).
/// </summary>
internal sealed class DipSynthetic
{
    public const int DxCount = 600;
    public const int ProcCount = 400;
    public const int SecCount = 60;

    public readonly Code[] Dx = new Code[DxCount];
    public readonly Code[] Proc = new Code[ProcCount];
    public readonly Code[] Sec = new Code[SecCount];
    public readonly string[] DxText = new string[DxCount];
    public readonly string[] ProcText = new string[ProcCount];
    public readonly string[] SecText = new string[SecCount];
    public readonly long[] BaseCost = new long[DxCount];

    private static readonly HospitalLevel[] Levels = [new(3, 'A'), new(3, 'B'), new(3, '\0'), new(2, 'A'), new(2, 'B'), new(1, '\0'), new(0, '\0'), new(2, 'C')];
    private static readonly DischargeMode[] Modes = [DischargeMode.OnAdvice, DischargeMode.OnAdvice, DischargeMode.OnAdvice, DischargeMode.OnAdvice, DischargeMode.TransferHospital, DischargeMode.AgainstAdvice, DischargeMode.Died, DischargeMode.Other];

    private ulong _state;

    public DipSynthetic(ulong seed = 0x9E3779B97F4A7C15UL)
    {
        _state = seed;
        for (var i = 0; i < DxCount; i++)
        {
            var letter = (char)('A' + (i % 26));
            var cat = (i / 26) + 10;
            DxText[i] = string.Create(CultureInfo.InvariantCulture, $"{letter}{cat:00}.{i % 10}00x{(i % 3) + 1:000}");
            Dx[i] = Code.Parse(DxText[i]);
            BaseCost[i] = 300_000 + (long)(Next() % 2_000_000);
        }

        for (var i = 0; i < ProcCount; i++)
        {
            ProcText[i] = string.Create(CultureInfo.InvariantCulture, $"{i % 100:00}.{i / 100:0}{(i * 37) % 1000:000}x001");
            Proc[i] = Code.Parse(ProcText[i]);
        }

        for (var i = 0; i < SecCount; i++)
        {
            SecText[i] = string.Create(CultureInfo.InvariantCulture, $"{(char)('E' + (i % 8))}{10 + i:00}.900");
            Sec[i] = Code.Parse(SecText[i]);
        }
    }

    public ulong Next()
    {
        var x = _state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        _state = x;
        return x;
    }

    /// <summary>One synthetic case written into caller buffers; returns (proc count, secondary count).</summary>
    public void NextCase(Span<Code> procs, Span<Code> secs, out int dx, out int nProcs, out int nSecs, out long cost, out HospitalLevel level, out int age, out DischargeMode mode, out int year)
    {
        var u = Next();
        var f = (double)(u & 0xFFFF) / 65536.0;
        dx = (int)(DxCount * f * f); // skewed: low indices frequent
        var r = (int)((u >> 16) & 0xFF);
        nProcs = r < 100 ? 0 : r < 190 ? 1 : r < 240 ? 2 : 3;
        for (var i = 0; i < nProcs; i++)
        {
            // Mostly the diagnosis' own procedures, sometimes a random one.
            var k = (int)((u >> (24 + (i * 4))) & 0xF);
            var p = k < 13 ? ((dx * 7) + (k % 4)) % ProcCount : (int)(Next() % ProcCount);
            procs[i] = Proc[p];
        }

        nSecs = (int)((u >> 40) & 3);
        for (var i = 0; i < nSecs; i++)
        {
            secs[i] = Sec[(int)((u >> (42 + (i * 6))) & 63) % SecCount];
        }

        var noise = 0.6 + (((Next() & 0xFFFF) / 65536.0) * 0.8) + ((Next() & 0xFF) == 0 ? 4 : 0);
        cost = (long)(BaseCost[dx] * (1 + (0.4 * nProcs)) * noise);
        level = Levels[(int)((u >> 58) & 7)];
        age = (int)(Next() % 95);
        mode = Modes[(int)((u >> 55) & 7)];
        year = 2021 + (int)(Next() % 3);
    }

    public static DipBuildParameters BuildParameters() => new()
    {
        Name = "Synthetic",
        Version = "bench",
        IsDemo = true,
        CoreThreshold = 15,
        Definitions = new DipDefinitions
        {
            CciWeights = new Dictionary<Code, int> { [Code.Parse("E10")] = 1, [Code.Parse("F11")] = 2, [Code.Parse("G12")] = 3, [Code.Parse("I50")] = 2, [Code.Parse("H13")] = 1 },
            PerDiemCategories = [new PerDiemCategory("psychiatry", HospitalKind.Psychiatric, null, 60, 2.5m)],
        },
    };

    /// <summary>Builds a catalog from <paramref name="records"/> synthetic cases.</summary>
    public DipCatalog BuildCatalog(int records)
    {
        var b = new DipCatalogBuilder(BuildParameters());
        Feed(b, records);
        return b.Build().Catalog;
    }

    public void Feed(DipCatalogBuilder b, long records)
    {
        Span<Code> procs = stackalloc Code[4];
        Span<Code> secs = stackalloc Code[4];
        for (long i = 0; i < records; i++)
        {
            NextCase(procs, secs, out var dx, out var np, out var ns, out var cost, out var level, out var age, out var mode, out var year);
            var input = new DipInput(Dx[dx], secs[..ns], np > 0 ? procs[0] : Code.Empty, np > 1 ? procs[1..np] : [], age, -1, mode, 5, cost, level, HospitalKind.General);
            b.Add(in input, year);
        }
    }
}
