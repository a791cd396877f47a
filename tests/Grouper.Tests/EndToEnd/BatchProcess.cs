using System.Diagnostics;
using System.Security.Cryptography;

namespace Grouper.Tests.EndToEnd;

/// <summary>The built host, Grouper.Batch.dll (copied beside the tests by the project reference), run as a separate process.</summary>
public static class BatchProcess
{
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "Grouper.Batch.dll");

    /// <summary>The dotnet host running the tests (the SDK sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    public static string DotnetHost { get; } = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } p && File.Exists(p) ? p : "dotnet";

    public sealed record Result(int Code, string Out, string Err)
    {
        public override string ToString() => $"exit {Code}\nstdout:\n{Out}\nstderr:\n{Err}";
    }

    public static Process Start(string workingDirectory, IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo(DotnetHost)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // The child sees only the settings a test gives it, never the developer's GROUPER_* environment.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("GROUPER_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(key);
        }

        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + Dll);
        process.StandardInput.Close();
        return process;
    }

    public static async Task<Result> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        using var p = Start(workingDirectory, env, args);
        return await WaitAsync(p).ConfigureAwait(false);
    }

    public static async Task<Result> WaitAsync(Process p, int timeoutSeconds = 120)
    {
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            await p.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"grouper did not finish within {timeoutSeconds} s");
        }

        return new Result(p.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Sends a POSIX signal (INT, TERM) the way an operator's Ctrl-C or a scheduler's stop does.</summary>
    public static void Signal(Process p, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
    }

    /// <summary>Every file under the roots, relative path → SHA-256, so two trees compare byte for byte.</summary>
    public static SortedDictionary<string, string> Snapshot(params (string Label, string Root)[] roots)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (label, root) in roots)
        {
            if (!Directory.Exists(root))
            {
                continue;
            }

            foreach (var f in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
            {
                files[label + "/" + Path.GetRelativePath(root, f).Replace('\\', '/')] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)));
            }

            foreach (var d in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories))
            {
                files[label + "/" + Path.GetRelativePath(root, d).Replace('\\', '/') + "/"] = "dir";
            }
        }

        return files;
    }

    public static string Diff(SortedDictionary<string, string> expected, SortedDictionary<string, string> actual)
    {
        var lines = new List<string>();
        foreach (var k in expected.Keys.Union(actual.Keys).Order(StringComparer.Ordinal))
        {
            var e = expected.GetValueOrDefault(k);
            var a = actual.GetValueOrDefault(k);
            if (e != a)
            {
                lines.Add($"{k}: expected {e ?? "(absent)"}, got {a ?? "(absent)"}");
            }
        }

        return string.Join('\n', lines);
    }
}
