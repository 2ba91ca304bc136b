/**
 * Jest's order of test files, except on a first run: with no timings cached (CI's clean
 * machine), Jest orders by file size, and a long suite drawn last leaves one worker alone
 * with it at the end. The suites that start a browser, processes or a full demo go first
 * then. Files that failed last time still come first; once timings are cached, Jest's own
 * longest-first order stands.
 */
const Sequencer = require('@jest/test-sequencer').default;

const LONG = /[\\/]test[\\/](e2e[\\/]|integration[\\/](crash-|fuzz-|demo|start|process|faults-|access-matrix))/;

class LongSuitesFirst extends Sequencer {
  sort(tests) {
    const rank = (test) => (this.hasFailed(test) ? 0 : test.duration != null ? 3 : LONG.test(test.path) ? 1 : 2);
    // Array sort is stable: within a rank, Jest's order stays.
    return [...super.sort(tests)].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = LongSuitesFirst;
