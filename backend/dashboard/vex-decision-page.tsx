import type { AuthUser } from '../http/auth.ts';
import { notFound } from '../http/problem.ts';
import { VEX_JUSTIFICATIONS, VEX_STATUSES } from '../vulnerabilities/types.ts';
import { VexDecision } from '../vulnerabilities/monitoring-schemas.ts';
import { loadVulnerability } from '../vulnerabilities/service.ts';
import type { Vulnerability } from '../vulnerabilities/service.ts';
import { decideVex, listVex } from '../vulnerabilities/vex/service.ts';
import type { VexStatement } from '../vulnerabilities/vex/service.ts';
import { actorFor, requireOperation } from './context.ts';
import type { DashboardApp, PageContext } from './context.ts';
import { setFlash } from './flash.ts';
import { humanize } from './format.ts';
import { Flash, Page } from './layout.tsx';
import { SeverityBadges } from './pages/cvss-contexts.tsx';
import { pathId } from './path-id.ts';

// The security engineer's VEX decision for one release and vulnerability, reached from the
// findings list. Checked by the API's own schema (a justification exactly with not_affected) and
// recorded by the same service: not_affected (and fixed) take the release out of the count.

const DECIDE = 'put /api/releases/{id}/vex/{vulnerabilityId}';

interface Subject {
  release: { id: number; hardware_id: string; version: string };
  vulnerability: Vulnerability;
  current: VexStatement | null;
}

function VexPage(props: { user: AuthUser; csrf: string; subject: Subject; error?: string }) {
  const { release, vulnerability: v, current } = props.subject;
  return (
    <Page title="VEX decision" section="vulnerabilities" user={props.user} csrf={props.csrf}>
      <h1>
        VEX: #{v.id} {v.title} in {release.hardware_id} {release.version}
      </h1>
      <p>
        <SeverityBadges v={v} />{' '}
        <span data-testid="vex-current">
          Current statement: {current ? `${humanize(current.status)} (by ${current.decidedBy})` : 'none'}
        </span>
      </p>
      <Flash kind="error" text={props.error ?? undefined} />
      <form method="post" class="card" aria-label="VEX decision">
        <input type="hidden" name="_csrf" value={props.csrf} />
        <label>
          Status{' '}
          <select name="status">
            {VEX_STATUSES.map((s) => (
              <option value={s} selected={current?.status === s}>
                {humanize(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Justification (with not affected only){' '}
          <select name="justification">
            <option value="">—</option>
            {VEX_JUSTIFICATIONS.map((j) => (
              <option value={j} selected={current?.justification === j}>
                {humanize(j)}
              </option>
            ))}
          </select>
        </label>
        <label>
          Detail <textarea name="detail">{current?.detail ?? ''}</textarea>
        </label>
        <button type="submit">Record decision</button>
      </form>
    </Page>
  );
}

async function loadSubject(ctx: PageContext, releaseId: number, vulnerabilityId: number): Promise<Subject> {
  const vulnerability = await loadVulnerability(ctx.db, vulnerabilityId, ctx.now());
  const release = await ctx.db
    .selectFrom('releases')
    .select(['id', 'hardware_id', 'version'])
    .where('id', '=', releaseId)
    .executeTakeFirst();
  if (!release) throw notFound('release', releaseId);
  const [current] = await listVex(ctx.db, { releaseId, vulnerabilityId });
  return { release, vulnerability, current: current ?? null };
}

export function registerVexDecisionPage(app: DashboardApp, ctx: PageContext): void {
  const canDecide = requireOperation(ctx.roles, DECIDE);
  const ids = (c: { req: { param: (n: string) => string } }) =>
    [pathId(c.req.param('id'), 'release'), pathId(c.req.param('vulnerabilityId'), 'vulnerability')] as const;

  app.get('/releases/:id/vex/:vulnerabilityId', canDecide, async (c) => {
    const subject = await loadSubject(ctx, ...ids(c));
    return c.html(<VexPage user={c.get('user')} csrf={c.get('csrf')} subject={subject} />);
  });

  app.post('/releases/:id/vex/:vulnerabilityId', canDecide, async (c) => {
    const [releaseId, vulnerabilityId] = ids(c);
    const form = await c.req.parseBody({ all: true });
    const field = (name: string) => (typeof form[name] === 'string' ? form[name].trim() : '');
    const justification = field('justification');
    const parsed = VexDecision.safeParse({
      status: field('status'),
      detail: field('detail'),
      ...(justification ? { justification } : {}),
    });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const name = issue?.path.join('.') || (issue && 'keys' in issue ? issue.keys.join(', ') : 'form');
      const error = `${name}: ${issue?.message ?? 'invalid'} (a justification goes with not affected, and only there)`;
      const subject = await loadSubject(ctx, releaseId, vulnerabilityId);
      return c.html(<VexPage user={c.get('user')} csrf={c.get('csrf')} subject={subject} error={error} />, 422);
    }
    const s = await decideVex(ctx.db, actorFor(c.get('user')), releaseId, vulnerabilityId, parsed.data, ctx.now());
    setFlash(c, {
      kind: 'ok',
      text: `VEX recorded: #${vulnerabilityId} is ${humanize(s.status)} in release #${releaseId}.`,
    });
    return c.redirect('/ui/findings', 303);
  });
}
