import type { AuthUser } from '../http/auth.ts';
import { listReleaseComponents } from '../vulnerabilities/sbom/service.ts';
import type { ReleaseComponent } from '../vulnerabilities/sbom/service.ts';
import { requireOperation } from './context.ts';
import type { DashboardApp, PageContext } from './context.ts';
import { Page } from './layout.tsx';
import { pathId } from './path-id.ts';

// A release's software components, as the SBOMs of its images list them (GET
// /api/releases/{id}/components); the releases pages link here.

function ComponentsPage(props: {
  user: AuthUser;
  csrf: string;
  release: { id: number; hardware_id: string; version: string };
  components: ReleaseComponent[];
}) {
  const r = props.release;
  return (
    <Page
      title={`Components of ${r.hardware_id} ${r.version}`}
      section="vulnerabilities"
      user={props.user}
      csrf={props.csrf}
    >
      <h1>
        Components of release #{r.id}: {r.hardware_id} {r.version}
      </h1>
      {props.components.length === 0 ? (
        <p>No SBOM uploaded for this release's images yet.</p>
      ) : (
        <table aria-label="Components">
          <thead>
            <tr>
              <th scope="col">Component</th>
              <th scope="col">Version</th>
              <th scope="col">purl / CPE</th>
              <th scope="col">Image</th>
            </tr>
          </thead>
          <tbody>
            {props.components.map((c) => (
              <tr>
                <td>{c.name}</td>
                <td>{c.version}</td>
                <td>
                  <code>{c.purl ?? c.cpe}</code>
                </td>
                <td>
                  <code title={c.imageSha256}>{c.imageSha256.slice(0, 12)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}

export function registerReleaseComponentsPage(app: DashboardApp, ctx: PageContext): void {
  app.get('/releases/:id/components', requireOperation(ctx.roles, 'get /api/releases/{id}/components'), async (c) => {
    const id = pathId(c.req.param('id'), 'release');
    const components = await listReleaseComponents(ctx.db, id);
    const release = await ctx.db
      .selectFrom('releases')
      .select(['id', 'hardware_id', 'version'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return c.html(
      <ComponentsPage user={c.get('user')} csrf={c.get('csrf')} release={release} components={components} />,
    );
  });
}
