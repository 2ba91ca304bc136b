/**
 * A seeded pseudo-random generator for tests that pick random cases, bytes or kill
 * moments: deterministic, so a failing seed can be replayed. The demo's mulberry32.
 */
export type Rng = () => number;

export { mulberry32 as seeded } from '../../server/demo/random';
