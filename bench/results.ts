/**
 * Benchmark figures and bench/RESULTS.md. Every suite returns a SuiteResult: its figures,
 * each compared with a baseline measured in the same run (machines differ, ratios travel)
 * and, where an issue sets one, a goal and whether it was met. writeResults() puts each
 * suite in its own marked section of RESULTS.md: a run of some suites replaces their
 * sections and keeps the others, each section stating when and where it was measured.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

/** What a figure must reach: on its ratio to the baseline, or on its own value. */
export interface Goal {
  on: 'ratio' | 'value';
  atMost?: number;
  atLeast?: number;
  below?: number;
}

export interface Figure {
  label: string;
  value: number;
  unit?: string;
  /** What `value` is compared with, measured in the same run. */
  baseline?: { label: string; value: number; unit?: string };
  /** value ÷ baseline.value. */
  ratio?: number;
  goal?: Goal;
  met?: boolean;
}

export interface SuiteResult {
  name: string;
  /** One paragraph: what is measured against what. */
  description: string;
  figures: Figure[];
  /** Set-up facts and caveats a reader needs (sizes, seeding time, what was left out). */
  notes?: string[];
}

/** A suite's result as run.ts records it. */
export interface SuiteRun extends SuiteResult {
  command: string;
  seconds: number;
  at: Date;
  /** os.loadavg() when the suite started: other work on the machine skews absolute figures. */
  load: number[];
}

export function goalMet(goal: Goal, value: number, ratio: number | undefined): boolean {
  const x = goal.on === 'ratio' ? ratio : value;
  if (x === undefined || !Number.isFinite(x)) return false;
  return (goal.atMost === undefined || x <= goal.atMost) && (goal.atLeast === undefined || x >= goal.atLeast) && (goal.below === undefined || x < goal.below);
}

/** A figure with its ratio to `baseline` and, given a goal, whether it is met. */
export function figure(f: Omit<Figure, 'ratio' | 'met'>): Figure {
  const ratio = f.baseline && f.baseline.value !== 0 ? f.value / f.baseline.value : undefined;
  return { ...f, ratio, met: f.goal ? goalMet(f.goal, f.value, ratio) : undefined };
}

export const median = (xs: number[]) => percentile(xs, 50);

/** The p-th percentile (nearest rank) of `xs`. */
export function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export function machine(): string {
  const cpus = os.cpus();
  const gb = (os.totalmem() / 1024 ** 3).toFixed(1);
  return `${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${gb} GB memory, Node ${process.version}, ${os.platform()} ${os.arch()} ${os.release()}`;
}

function number(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  // Counts (requests, errors) read as whole numbers: "0", not "0.000".
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  const abs = Math.abs(x);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

const withUnit = (value: number, unit?: string) => (unit ? `${number(value)} ${unit}` : number(value));

function goalText(goal: Goal, unit?: string): string {
  const subject = goal.on === 'ratio' ? 'ratio ' : '';
  const plain = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 3 });
  const bound = (sign: string, n: number) => `${subject}${sign} ${plain(n)}${goal.on === 'value' && unit ? ` ${unit}` : ''}`;
  return [
    goal.atMost !== undefined ? bound('≤', goal.atMost) : null,
    goal.atLeast !== undefined ? bound('≥', goal.atLeast) : null,
    goal.below !== undefined ? bound('<', goal.below) : null,
  ]
    .filter(Boolean)
    .join(', ');
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

export function suiteSection(run: SuiteRun): string {
  const rows = run.figures.map((f) =>
    [
      f.label,
      withUnit(f.value, f.unit),
      f.baseline ? `${f.baseline.label}: ${withUnit(f.baseline.value, f.baseline.unit ?? f.unit)}` : '',
      f.ratio === undefined ? '' : `×${number(f.ratio)}`,
      f.goal ? goalText(f.goal, f.unit) : '',
      f.met === undefined ? '' : f.met ? 'yes' : '**no**',
    ]
      .map(cell)
      .join(' | '),
  );
  return [
    `<!-- bench:${run.name} -->`,
    `## ${run.name}`,
    '',
    run.description,
    '',
    `Measured ${run.at.toISOString().slice(0, 16).replace('T', ' ')} UTC in ${Math.round(run.seconds)} s on ${machine()}; ` +
      `load average ${run.load.map((l) => l.toFixed(1)).join(' / ')} (1 / 5 / 15 min) at the start.`,
    `Reproduce: \`${run.command}\``,
    '',
    '| Figure | Value | Baseline (same run) | Ratio | Goal | Met |',
    '|---|---:|---|---:|---|---|',
    ...rows.map((r) => `| ${r} |`),
    ...(run.notes?.length ? ['', ...run.notes.map((n) => `- ${n}`)] : []),
    `<!-- /bench:${run.name} -->`,
  ].join('\n');
}

/** The sections already in the file, by suite name. */
function existingSections(text: string): Map<string, string> {
  const sections = new Map<string, string>();
  for (const m of text.matchAll(/<!-- bench:([\w-]+) -->[\s\S]*?<!-- \/bench:\1 -->/g)) sections.set(m[1] as string, m[0]);
  return sections;
}

/**
 * Writes `file` with the sections of `runs` and keeps the other suites' sections found in
 * it; sections in `order` (the suites' order in run.ts), then any others.
 */
export function writeResults(file: string, runs: SuiteRun[], order: string[]): void {
  const sections = existsSync(file) ? existingSections(readFileSync(file, 'utf8')) : new Map<string, string>();
  for (const run of runs) sections.set(run.name, suiteSection(run));
  const names = [...order.filter((n) => sections.has(n)), ...[...sections.keys()].filter((n) => !order.includes(n))];
  const text = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\` (bench/run.ts), last on ${new Date().toISOString().slice(0, 10)} on ${machine()}.`,
    '`npm run bench` runs every suite and rewrites every section; `npm run bench -- <suite>` replaces',
    'only that suite\'s section, so each section says when and on which machine it was measured.',
    'A ratio compares a figure with its baseline measured in the same run on the same machine.',
    '',
    ...names.flatMap((n) => [sections.get(n) as string, '']),
  ].join('\n');
  writeFileSync(file, text);
}
