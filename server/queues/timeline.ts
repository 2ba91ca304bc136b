/**
 * The timeline of a queue's sites for its admin page: one list item per assignment
 * (dates in that site's time zone) and the segments of a proportional bar drawn as SVG
 * attributes (no inline style, no script), with a marker at "now".
 */
import { formatDate, DEFAULT_TIME_ZONE } from '../http/helpers';
import type { Locale, Translate } from '../i18n';
import type { Site } from '../sites';
import type { Assignment } from './assignments';

const WIDTH = 1000;
const DAY_MS = 86_400_000;
/** Colour-blind-safe fills, dark enough for white labels. */
const FILLS = ['#1f4e79', '#8a3b12', '#1d6b45', '#6a3d9a', '#7a5c00', '#2f4f4f'];

export interface TimelineItem {
  site: string;
  siteName: string;
  fromText: string;
  toText: string | null;
  state: 'past' | 'current' | 'scheduled';
  note: string | null;
}

export interface TimelineSegment {
  x: number;
  width: number;
  fill: string;
  label: string;
  labelX: number;
}

export function buildTimeline(assignments: readonly Assignment[], sites: readonly Site[], now: Date, locale: Locale, t: Translate) {
  const byCode = new Map(sites.map((s) => [s.code, s]));
  const when = (date: Date, code: string) =>
    formatDate(date, locale, { style: 'datetime', timeZone: byCode.get(code)?.timezone ?? DEFAULT_TIME_ZONE });
  // A move is shown in the time zone of the site moved to, as the relocation form took it.
  const items: TimelineItem[] = assignments.map((a, i) => ({
    site: a.site,
    siteName: byCode.get(a.site)?.name ?? a.site,
    fromText: when(a.from, a.site),
    toText: a.to ? when(a.to, assignments[i + 1]?.site ?? a.site) : null,
    state: a.from > now ? 'scheduled' : a.to && a.to <= now ? 'past' : 'current',
    note: a.note ?? null,
  }));

  const first = assignments[0];
  if (!first) return { items, segments: [] as TimelineSegment[], nowX: 0, label: '' };
  const lastStart = assignments[assignments.length - 1]!.from.getTime();
  const start = first.from.getTime();
  // Room after the latest date so the open assignment shows as a bar, not a line.
  const latest = Math.max(now.getTime(), lastStart);
  const end = latest + Math.max(7 * DAY_MS, (latest - start) * 0.1);
  const scale = (ms: number) => Math.round(((ms - start) / (end - start)) * WIDTH);
  const colours = new Map<string, string>();
  const segments = assignments.map((a) => {
    if (!colours.has(a.site)) colours.set(a.site, FILLS[colours.size % FILLS.length] as string);
    const x = scale(a.from.getTime());
    const width = Math.max(2, scale(a.to?.getTime() ?? end) - x);
    return { x, width, fill: colours.get(a.site) as string, label: width >= 60 ? a.site : '', labelX: x + 8 };
  });
  return { items, segments, nowX: scale(now.getTime()), label: t('queues.timeline.barLabel') };
}
