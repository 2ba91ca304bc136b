/**
 * The Node flags the app starts with (package.json): `npm start`, `npm run demo` and
 * `npm run bench` give the app the same young generation, so that the benchmarks measure
 * the app as it is started (README, "Production").
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const scripts = (JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const nodeFlags = (script: string | undefined) => (script ?? '').split(' ').filter((word) => word.startsWith('--'));

describe('the Node flags the app starts with', () => {
  it('give it 64 MB semi-spaces in production, in the demo and in the benchmarks alike', () => {
    expect(nodeFlags(scripts.start)).toEqual(['--max-semi-space-size=64']);
    expect(nodeFlags(scripts.demo)).toEqual(nodeFlags(scripts.start));
    expect(nodeFlags(scripts.bench)).toEqual(nodeFlags(scripts.start));
  });
});
