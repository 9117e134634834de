// Runs the registered benchmarks and, after the usual table, prints each measured
// figure as a ratio to its raw limit. A benchmark named "X/raw" is the limit of every
// benchmark named "X/<anything else>" (time per iteration, lower is better).
#pragma once

namespace aurite::bench {

// Use as the body of main(); returns the process exit status.
int run_with_ratios(int argc, char** argv);

}  // namespace aurite::bench
