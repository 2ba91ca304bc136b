/**
 * Jest's order of test files, except on a first run: with no timings cached (CI's clean
 * machine), Jest orders by file size, and a long suite drawn last leaves one worker alone
 * with it for a minute. The suites that start a browser, processes or a full demo go first
 * then. Once timings are cached, Jest's own longest-first order stands.
 */
const Sequencer = require('@jest/test-sequencer').default;

const LONG = /[\\/]test[\\/](e2e[\\/]|integration[\\/](crash-|fuzz-|demo|start|process|faults-|access-matrix))/;

class LongSuitesFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const untimed = sorted.filter((test) => test.duration == null);
    const timed = sorted.filter((test) => test.duration != null);
    return [...untimed.filter((test) => LONG.test(test.path)), ...untimed.filter((test) => !LONG.test(test.path)), ...timed];
  }
}

module.exports = LongSuitesFirst;
