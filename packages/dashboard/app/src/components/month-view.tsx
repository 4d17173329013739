import { useState } from 'preact/hooks';
import { useApp } from '../lib/context.js';
import { count, zoned } from '../lib/format.js';
import { useData } from '../lib/use-data.js';
import { ErrorNotice, Loading } from './common.js';

const CAP = 1000;
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKDAYS = [
  ['Mon', 'Monday'],
  ['Tue', 'Tuesday'],
  ['Wed', 'Wednesday'],
  ['Thu', 'Thursday'],
  ['Fri', 'Friday'],
  ['Sat', 'Saturday'],
  ['Sun', 'Sunday'],
] as const;

const pad = (n: number) => String(n).padStart(2, '0');

/** The instant of local midnight starting `y-m-01` in `zone` (re-checked once, so a DST change that month is right). */
function monthStart(y: number, m: number, zone: string): number {
  const wall = Date.UTC(y, m, 1);
  const offsetMs = (t: number) => {
    const o = zoned(t, zone).offset;
    const sign = o.startsWith('-') ? -1 : 1;
    const [h, mm] = o.slice(1).split(':').map(Number) as [number, number];
    return sign * (h * 60 + mm) * 60_000;
  };
  let t = wall - offsetMs(wall);
  t = wall - offsetMs(t);
  return t;
}

/**
 * A month of upcoming runs, counted per day in the schedule's zone (from the API's preview with `from`/`until`,
 * at most 1,000 runs; past that the count stops and says so). Days with a DST change or skip are marked.
 */
export function MonthView({
  jobName,
  zone,
  firstRun,
}: {
  jobName: string;
  zone: string;
  firstRun: string | null;
}) {
  const { api } = useApp();
  const today = zoned(Date.now(), zone).date;
  const [ty, tm] = today.split('-').map(Number) as [number, number];
  // Opens on the month of the next run (this month for most schedules; March for one that runs in March only).
  const [fy, fm] = (firstRun ? zoned(firstRun, zone).date : today).split('-').map(Number) as [number, number];
  const [month, setMonth] = useState(
    fy * 12 + fm > ty * 12 + tm ? { y: fy, m: fm - 1 } : { y: ty, m: tm - 1 },
  );
  const isCurrent = month.y === ty && month.m === tm - 1;
  const start = monthStart(month.y, month.m, zone);
  const next = month.m === 11 ? { y: month.y + 1, m: 0 } : { y: month.y, m: month.m + 1 };
  const end = monthStart(next.y, next.m, zone);
  const from = isCurrent ? Math.max(start, Date.now() + 1) : start;
  const key = `${jobName}|${zone}|${month.y}-${month.m}`;
  const { data, error, loading } = useData(key, (signal) =>
    api.nextRuns(
      jobName,
      { count: CAP, from: new Date(from).toISOString(), until: new Date(end).toISOString() },
      signal,
    ),
  );

  const perDay = new Map<string, number>();
  const dstDays = new Map<string, string>();
  let previousOffset: string | null = null;
  for (const r of data?.runs ?? []) {
    const day = r.local.slice(0, 10);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
    if (previousOffset !== null && r.offset !== previousOffset)
      dstDays.set(day, `UTC offset ${previousOffset} → ${r.offset}`);
    previousOffset = r.offset;
  }
  for (const s of data?.skipped ?? []) dstDays.set(s.local.slice(0, 10), s.message);
  // Per-schedule DST choices (spec section 10): a shifted run, a wall time that runs twice.
  for (const s of data?.shifted ?? []) {
    dstDays.set(
      s.local.slice(0, 10),
      `${s.local.slice(11)} does not exist: runs at ${s.run_local.slice(11)} (shifted)`,
    );
  }
  for (const r of data?.runs ?? []) {
    if (r.dst === 'second' && data?.dst_overlap === 'both') {
      dstDays.set(
        r.local.slice(0, 10),
        `${r.local.slice(11)} occurs twice and runs twice (DST overlap: both)`,
      );
    }
  }
  const jitter = data?.jitter_seconds ?? 0;
  const capped = (data?.runs.length ?? 0) >= CAP;
  const lastCounted = capped ? data?.runs.at(-1)?.local.slice(0, 10) : undefined;
  const total = data?.runs.length ?? 0;

  const days = new Date(Date.UTC(next.y, next.m, 1) - 86_400_000).getUTCDate();
  const firstWeekday = (new Date(Date.UTC(month.y, month.m, 1)).getUTCDay() + 6) % 7; // 0 = Monday
  const cells: (number | null)[] = [
    ...Array(firstWeekday).fill(null),
    ...Array.from({ length: days }, (_, i) => i + 1),
  ];
  while (cells.length % 7 !== 0) cells.push(null);
  const weeks: (number | null)[][] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  const title = `${MONTHS[month.m]} ${month.y}`;

  return (
    <div class="month">
      <div class="month-nav">
        <button
          type="button"
          class="btn btn-small"
          disabled={isCurrent}
          onClick={() => setMonth(month.m === 0 ? { y: month.y - 1, m: 11 } : { y: month.y, m: month.m - 1 })}
        >
          ‹ Previous month
        </button>
        <strong aria-live="polite">{title}</strong>
        <button type="button" class="btn btn-small" onClick={() => setMonth(next)}>
          Next month ›
        </button>
      </div>
      <ErrorNotice error={error} what="the month's runs" />
      {loading && !data ? <Loading what="the month" /> : null}
      <table class="calendar">
        <caption>
          Runs per day in {title}, {zone}
          {data ? ` — ${capped ? 'first ' : ''}${count(total)} run${total === 1 ? '' : 's'}` : ''}
        </caption>
        <thead>
          <tr>
            {WEEKDAYS.map(([short, long]) => (
              <th key={short} scope="col" abbr={long}>
                {short}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week, wi) => (
            <tr key={wi}>
              {week.map((d, di) => {
                if (d === null) {
                  return <td key={`e${di}`} class="cal-empty" />;
                }
                const date = `${month.y}-${pad(month.m + 1)}-${pad(d)}`;
                const n = perDay.get(date) ?? 0;
                const past = isCurrent && date < today;
                const beyond = lastCounted !== undefined && date > lastCounted;
                const dst = dstDays.get(date);
                const cls = [
                  'cal-day',
                  n > 0 ? 'has-runs' : '',
                  date === today ? 'is-today' : '',
                  past ? 'is-past' : '',
                  dst ? 'is-dst' : '',
                ]
                  .filter(Boolean)
                  .join(' ');
                return (
                  <td key={date} class={cls} title={dst}>
                    <span class="cal-date">{d}</span>
                    <span class="cal-count">
                      {past ? '' : beyond ? '…' : n > 0 ? `${count(n)} run${n === 1 ? '' : 's'}` : ''}
                    </span>
                    {dst ? (
                      <span class="badge badge-dst">
                        {dst.includes('(shifted)')
                          ? 'DST shift'
                          : dst.includes('runs twice')
                            ? 'DST ×2'
                            : 'DST'}
                      </span>
                    ) : null}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {capped ? (
        <p class="muted">
          Counted up to {count(CAP)} runs (through {lastCounted}); days after that are marked “…”.
        </p>
      ) : null}
      {jitter > 0 ? (
        <p class="muted" data-jitter-note="">
          Each run starts up to {count(jitter)} s after its slot (jitter); the counts are by slot.
        </p>
      ) : null}
    </div>
  );
}
