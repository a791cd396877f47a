#!/usr/bin/env pwsh
# Builds Grouper once (Release) and runs the batch host, passing arguments through.
# With no arguments it runs the whole chain on sample-data/ and writes out/.
# The PowerShell twin of run-batch.sh: same steps, same environment, same exit codes
# (build messages go to stderr, the host's exit code is the script's).
$ErrorActionPreference = 'Stop'
Set-Location -Path $PSScriptRoot
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'
# Published ReadyToRun for this machine's runtime (precompiled: ~0.5 s less start-up CPU a run);
# where the ReadyToRun compiler cannot be restored, a plain Release build does the same work.
$dll = Join-Path 'src' 'Grouper.Batch' 'bin' 'publish' 'Grouper.Batch.dll'
$plain = Join-Path 'src' 'Grouper.Batch' 'bin' 'Release' 'net10.0' 'Grouper.Batch.dll'
if ($env:GROUPER_SKIP_BUILD -ne '1') {
    dotnet publish src/Grouper.Batch/Grouper.Batch.csproj -c Release --use-current-runtime --self-contained false `
        -p:PublishReadyToRun=true -o (Join-Path 'src' 'Grouper.Batch' 'bin' 'publish') -nologo -v quiet -clp:ErrorsOnly |
        ForEach-Object { [Console]::Error.WriteLine($_) }
    if ($LASTEXITCODE -ne 0) {
        [Console]::Error.WriteLine('note: the ReadyToRun publish failed; running a plain Release build instead')
        dotnet build src/Grouper.Batch/Grouper.Batch.csproj -c Release -nologo -v quiet -clp:ErrorsOnly |
            ForEach-Object { [Console]::Error.WriteLine($_) }
        if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
        $dll = $plain
    }
} elseif (-not (Test-Path $dll)) {
    $dll = $plain
}
if ($args.Count -gt 0) {
    & dotnet $dll @args
    exit $LASTEXITCODE
}
# The whole chain on the sample data. Exit code 3 means "completed, some records rejected":
# the sample data contains bad lines on purpose, so that is success here.
# The sample data is synthetic; its demo pseudonym key is committed and labelled as such.
# A real run takes its key from GROUPER_PSEUDONYM_KEY_FILE or GROUPER_PSEUDONYM_KEY.
$keyArgs = @()
if (-not $env:GROUPER_PSEUDONYM_KEY -and -not $env:GROUPER_PSEUDONYM_KEY_FILE) {
    $keyArgs = @('--pseudonym-key-file', (Join-Path 'sample-data' 'DEMO-pseudonym.key'))
}
& dotnet $dll run --input sample-data --out out --region 350900 @keyArgs
$rc = $LASTEXITCODE
if ($rc -ne 0 -and $rc -ne 3) { exit $rc }
# Year-end DIP clearing of the sample year from the run's clearing shard.
& dotnet $dll clear --year 2024 --shards out --inputs (Join-Path 'sample-data' 'clearing' '350900-2024-demo.yaml') --out out
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
Write-Output "Outputs: $(Join-Path $PSScriptRoot 'out') (cases.parquet, rejects.csv, manifest.json, clearing.parquet, report.html, clearing-manifest.json)"
exit 0
