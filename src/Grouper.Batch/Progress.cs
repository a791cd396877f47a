using System.Diagnostics;
using Grouper.Pipeline;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Grouper.Batch;

/// <summary>
/// Shows how a long run goes: on a terminal a live Spectre.Console display (records read,
/// records/s, rejects so far, elapsed, estimated time left from bytes read); otherwise a plain log
/// line every few seconds. Never writes to stdout (results go to files, stdout carries the summary).
/// </summary>
internal sealed class RunProgress : IProgress<BatchProgress>, IDisposable
{
    private readonly ILogger _logger;
    private readonly long _totalBytes;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _live;
    private readonly Timer? _timer;
    private readonly Lock _gate = new();
    private BatchProgress _last;
    private int _pass = 1;
    private TimeSpan _passStart;
    private long _lastLogTicks;
    private Task? _liveTask;
    private readonly CancellationTokenSource _stop = new();

    public RunProgress(ILogger logger, long totalBytes, bool interactive)
    {
        _logger = logger;
        _totalBytes = totalBytes;
        _live = interactive;
        if (_live)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            _liveTask = console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var task = ctx.AddTask("reading", maxValue: Math.Max(1, _totalBytes));
                    var passes = 1;
                    while (!_stop.IsCancellationRequested)
                    {
                        var p = Last;
                        if (p.Passes != passes)
                        {
                            passes = Math.Max(1, p.Passes);
                            task.MaxValue = Math.Max(1, _totalBytes * passes);
                        }

                        task.Value = Math.Min(DoneBytes(p), task.MaxValue);
                        task.Description = Describe(p);
                        try
                        {
                            await Task.Delay(250, _stop.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                            break;
                        }
                    }

                    task.Value = task.MaxValue;
                    task.Description = Describe(Last);
                });
        }
        else
        {
            _timer = new Timer(_ => LogLine(), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        }
    }

    private string Describe(BatchProgress p)
    {
        var pass = p.Passes > 1 ? $"pass {p.Pass}/{p.Passes}: " : string.Empty;
        return $"{pass}{p.RecordsRead:N0} records, {Rate(p, PassSeconds(p)):N0}/s, {p.RecordsRejected:N0} rejected";
    }

    /// <summary>
    /// Records per second over the pass: from the run's own clock of the pass when it reports one
    /// (<see cref="BatchProgress.PassSeconds"/>), else from <paramref name="observedSeconds"/>, the
    /// time since this display first saw the pass (which starts late when a pass is first seen at
    /// its end, so the run's clock is preferred).
    /// </summary>
    internal static double Rate(BatchProgress p, double observedSeconds) =>
        p.RecordsRead / Math.Max(0.001, p.PassSeconds > 0 ? p.PassSeconds : observedSeconds);

    /// <summary>Seconds since the pass of <paramref name="p"/> began (the rate is per pass: each reads the whole input).</summary>
    private double PassSeconds(BatchProgress p)
    {
        lock (_gate)
        {
            if (p.Pass != _pass)
            {
                _pass = p.Pass;
                _passStart = _clock.Elapsed;
            }

            return (_clock.Elapsed - _passStart).TotalSeconds;
        }
    }

    /// <summary>Share of the whole run's reading done: passes before this one count in full.</summary>
    private long DoneBytes(BatchProgress p) => ((long)(Math.Max(1, p.Pass) - 1) * _totalBytes) + p.BytesRead;

    private BatchProgress Last
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    public void Report(BatchProgress value)
    {
        lock (_gate)
        {
            _last = value;
        }
    }

    internal void LogLine()
    {
        var p = Last;
        var elapsed = _clock.Elapsed;
        if (!_logger.IsEnabled(LogLevel.Information))
        {
            return;
        }

        if (elapsed.Ticks - _lastLogTicks < TimeSpan.TicksPerSecond)
        {
            return;
        }

        _lastLogTicks = elapsed.Ticks;
        var rate = Rate(p, PassSeconds(p));
        var total = _totalBytes * Math.Max(1, p.Passes);
        var done = DoneBytes(p);
        var left = total > 0 && done > 0 ? TimeSpan.FromSeconds(elapsed.TotalSeconds * (total - done) / done) : TimeSpan.Zero;
        _logger.LogInformation(
            "progress: pass {Pass}/{Passes}, {RecordsRead} records read, {RecordsPerSecond:F0} records/s, {Rejected} rejected, elapsed {Elapsed:hh\\:mm\\:ss}, about {Left:hh\\:mm\\:ss} left",
            Math.Max(1, p.Pass), Math.Max(1, p.Passes), p.RecordsRead, rate, p.RecordsRejected, elapsed, left);
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _stop.Cancel();
        _liveTask?.GetAwaiter().GetResult();
        _stop.Dispose();
    }
}
