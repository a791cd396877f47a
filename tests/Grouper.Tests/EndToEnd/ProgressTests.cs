using Grouper.Batch;
using Grouper.Pipeline;

namespace Grouper.Tests.EndToEnd;

public class ProgressTests
{
    [Fact]
    public void Rate_uses_the_runs_clock_of_the_pass_even_when_the_display_first_sees_the_pass_at_its_end()
    {
        // The log line once printed 1,000,000,000 records/s: pass 2 was first seen by the display
        // when it had already read everything, so its own clock of the pass said ~0 s.
        var p = new BatchProgress(1_000_000, 0, 176_000_000, Pass: 2, Passes: 2, PassSeconds: 2.5);
        Assert.Equal(400_000, RunProgress.Rate(p, observedSeconds: 0));
        Assert.Equal(400_000, RunProgress.Rate(p, observedSeconds: 0.25));
    }

    [Fact]
    public void Rate_falls_back_to_the_observed_time_when_the_run_reports_no_clock()
    {
        var p = new BatchProgress(300_000, 5, 1_000, Pass: 1, Passes: 1);
        Assert.Equal(150_000, RunProgress.Rate(p, observedSeconds: 2));

        // Never a division by zero: at most 1,000 records a millisecond is claimed.
        Assert.Equal(300_000_000, RunProgress.Rate(p, observedSeconds: 0));
    }
}
