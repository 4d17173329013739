import { duration, utc } from '../lib/format.js';
import type { Run } from '../lib/types.js';

const W = 640;
const ROW = 78;
const LEFT = 64;

interface Point {
  run: Run;
  duration: number | null;
  lag: number | null;
}

function points(runs: Run[]): Point[] {
  return runs
    .slice(0, 50)
    .reverse()
    .map((run) => ({
      run,
      duration:
        run.started_at && run.finished_at ? Date.parse(run.finished_at) - Date.parse(run.started_at) : null,
      lag: run.slot && run.started_at ? Math.max(0, Date.parse(run.started_at) - Date.parse(run.slot)) : null,
    }));
}

function Bars({
  data,
  value,
  y,
  label,
  cls,
}: {
  data: Point[];
  value: (p: Point) => number | null;
  y: number;
  label: string;
  cls: string;
}) {
  const values = data.map(value);
  const max = Math.max(1, ...values.map((v) => v ?? 0));
  const step = (W - LEFT - 8) / Math.max(data.length, 1);
  const barW = Math.max(2, Math.min(18, step - 2));
  const h = ROW - 26;
  return (
    <g transform={`translate(0 ${y})`}>
      <text x={0} y={12} class="chart-label">
        {label}
      </text>
      <text x={LEFT - 6} y={26} class="chart-axis" text-anchor="end">
        {duration(max)}
      </text>
      <text x={LEFT - 6} y={ROW - 2} class="chart-axis" text-anchor="end">
        0
      </text>
      <line x1={LEFT} x2={W - 4} y1={ROW - 6} y2={ROW - 6} class="chart-baseline" />
      {data.map((p, i) => {
        const v = values[i];
        if (v === null || v === undefined) return null;
        const bh = Math.max(1, (v / max) * h);
        return (
          <rect
            key={p.run.id}
            x={LEFT + i * step + (step - barW) / 2}
            y={ROW - 6 - bh}
            width={barW}
            height={bh}
            class={`${cls} bar-${p.run.status}`}
          >
            <title>{`${label} ${duration(v)} · ${p.run.status} · ${utc(p.run.created_at)}`}</title>
          </rect>
        );
      })}
    </g>
  );
}

/** Durations and start lags of the latest runs (oldest left), as bars; failed runs in the failure colour. */
export function RunChart({ runs }: { runs: Run[] }) {
  const data = points(runs);
  const withDuration = data.filter((p) => p.duration !== null);
  // A chart of one or two bars says nothing the table does not.
  if (withDuration.length < 3) return null;
  const avg = withDuration.reduce((s, p) => s + (p.duration ?? 0), 0) / withDuration.length;
  const lags = data.filter((p) => p.lag !== null);
  const maxLag = Math.max(0, ...lags.map((p) => p.lag ?? 0));
  const summary =
    `Last ${data.length} runs: average duration ${duration(avg)}` +
    (lags.length ? `, largest start lag ${duration(maxLag)}` : '');
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${W} ${lags.length ? ROW * 2 + 4 : ROW}`}
        role="img"
        aria-label={summary}
        preserveAspectRatio="xMinYMin meet"
      >
        <Bars data={data} value={(p) => p.duration} y={0} label="Duration" cls="bar-duration" />
        {lags.length ? (
          <Bars data={data} value={(p) => p.lag} y={ROW + 4} label="Start lag" cls="bar-lag" />
        ) : null}
      </svg>
      <figcaption class="muted">
        {summary}. Oldest on the left; failed runs in red.
        {lags.length ? ' Lag: from the slot to the start.' : ''}
      </figcaption>
    </figure>
  );
}
