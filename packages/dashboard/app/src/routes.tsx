import type { JSX } from 'preact';
import { PageTitle } from './components/common.js';
import { Link, match, useLocation } from './lib/router.js';
import { JobTypesPage } from './pages/job-types.js';
import { RunPage } from './pages/run.js';
import { RunsPage } from './pages/runs.js';
import { SchedulePage } from './pages/schedule.js';
import { ScheduleFormPage } from './pages/schedule-form.js';
import { SchedulesPage } from './pages/schedules.js';

type Render = (params: Record<string, string>, query: URLSearchParams) => JSX.Element;

/** Client routes below the prefix, first match wins. */
const ROUTES: [string, Render][] = [
  ['', (_, q) => <SchedulesPage query={q} />],
  ['schedules/new', (_, q) => <ScheduleFormPage key="new" name={null} query={q} />],
  [
    'schedules/:name/edit',
    (p, q) => <ScheduleFormPage key={`edit-${p['name']}`} name={p['name'] as string} query={q} />,
  ],
  ['schedules/:name', (p) => <SchedulePage key={p['name']} name={p['name'] as string} />],
  ['runs', (_, q) => <RunsPage query={q} />],
  ['runs/:id', (p) => <RunPage key={p['id']} id={p['id'] as string} />],
  ['types', () => <JobTypesPage />],
];

export function Routes() {
  const { path, query } = useLocation();
  for (const [pattern, render] of ROUTES) {
    const params = match(pattern, path);
    if (params) return render(params, query);
  }
  return (
    <>
      <PageTitle>Page not found</PageTitle>
      <p>
        Nothing here. <Link to="">Back to the schedules</Link>.
      </p>
    </>
  );
}
