// The benchmark suite is issue #3 (group commit and same-run ratios); until it lands this
// script only says so, and exits non-zero so nobody mistakes it for a result.
process.stderr.write('npm run bench: not yet — the benchmark suite is tracked in issue #3\n')
process.exitCode = 1
