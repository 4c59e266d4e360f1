import type { AuditEntry } from '../../audit/service.ts';
import { TableHead } from './table-head.tsx';
import type { ReleaseState } from '../../releases/types.ts';
import type { AuthUser } from '../../http/auth.ts';
import { EVIDENCE_STAGES } from '../../releases/lifecycle.ts';
import type { Release } from '../../releases/service.ts';
import type { FlashMessage } from '../flash.ts';
import { formatTime, humanize } from '../format.ts';
import { Flash, Page } from '../layout.tsx';
import type { CampaignUse, VulnerabilityChoice } from '../release-queries.ts';
import { AuditTimeline } from './audit-timeline.tsx';
import { Csrf, Field, FormErrors, refusedFor, TextArea } from './form-fields.tsx';
import type { Draft, Refused } from './form-fields.tsx';
import { BackLink } from './back-link.tsx';

/** The longest safety impact analysis the API takes. */
const SAFETY_ANALYSIS_MAX = 20000;

/** What the user may do on this release now: the API's roles, narrowed by the lifecycle's rules. */
export interface ReleaseActions {
  upload: boolean;
  moves: ReleaseState[];
  safetyAnalysis: boolean;
  authorize: boolean;
}

/** Field labels per form, by the API's field names; also used to name refused fields. */
export const MOVE_LABELS = {
  reason: 'Reason',
  evidence: 'Test evidence',
  'evidence.reportRef': 'Test report reference',
  'evidence.logSha256': 'Test log sha256',
};
export const SAFETY_LABELS = { analysis: 'Safety impact analysis', reason: 'Reason for the change' };
export const AUTHORIZATION_LABELS = {
  ...MOVE_LABELS,
  decision: 'Decision',
  safetyImpactAnalysis: 'Safety impact analysis',
};

const MOVE_BUTTON: Partial<Record<ReleaseState, string>> = {
  in_test: 'Start supplier test',
  approved: 'Approve (tests passed)',
  not_approved: 'Mark not approved',
  not_applicable: 'Mark not applicable',
  released: 'Release to the OEM',
  in_internal_test: 'Start internal test',
  effective: 'Make effective',
};

interface Props {
  user: AuthUser;
  csrf: string;
  release: Release;
  fixes: VulnerabilityChoice[];
  campaigns: CampaignUse[];
  history: AuditEntry[];
  actions: ReleaseActions;
  flash: FlashMessage | null;
  refused: Refused | null;
}

/** The text inputs of the test evidence, in form order. */
const EVIDENCE_INPUTS = [
  { name: 'reportRef', maxlength: 500, hint: 'Where the test report is kept, e.g. TR-2026-17.' },
  { name: 'logSha256', maxlength: 64, hint: '64 lowercase hex digits; or pick the log file below to compute it here.' },
] as const;

function EvidenceFields(props: { prefix: string; draft: Draft | undefined }) {
  return (
    <fieldset>
      <legend>{MOVE_LABELS.evidence}</legend>
      {EVIDENCE_INPUTS.map((input) => (
        <Field
          id={`${props.prefix}-${input.name}`}
          name={input.name}
          label={MOVE_LABELS[`evidence.${input.name}`]}
          draft={props.draft}
          maxlength={input.maxlength}
          hint={input.hint}
          wide
        />
      ))}
      <label for={`${props.prefix}-logFile`}>Test log file (optional, hashed in the browser, not uploaded)</label>
      <input id={`${props.prefix}-logFile`} type="file" data-sha256-into={`${props.prefix}-logSha256`} />
    </fieldset>
  );
}

function MoveForm(props: { p: Props; to: ReleaseState }) {
  const form = `move-${props.to}`;
  const { draft, messages } = refusedFor(props.p.refused, form);
  const needsEvidence = (EVIDENCE_STAGES as readonly string[]).includes(props.to);
  return (
    <form method="post" action={`/ui/releases/${props.p.release.id}/transitions`} id={form}>
      <Csrf token={props.p.csrf} />
      <input type="hidden" name="to" value={props.to} />
      <fieldset>
        <legend>Move to {humanize(props.to)}</legend>
        <FormErrors messages={messages} />
        <Field id={`${form}-reason`} name="reason" label={MOVE_LABELS.reason} draft={draft} maxlength={2000} wide />
        {needsEvidence ? <EvidenceFields prefix={form} draft={draft} /> : null}
        <button type="submit" class={props.to.startsWith('not_') ? 'danger' : undefined}>
          {MOVE_BUTTON[props.to] ?? `Move to ${humanize(props.to)}`}
        </button>
      </fieldset>
    </form>
  );
}

/** The release's safety impact analysis as an editable text, prefilled with the recorded one. */
function SafetyAnalysisArea(props: {
  id: string;
  name: string;
  label: string;
  draft: Draft | undefined;
  release: Release;
  rows?: number;
  hint?: string;
}) {
  const { release, rows, ...field } = props;
  return (
    <TextArea {...field} value={release.safetyImpactAnalysis ?? ''} rows={rows ?? 5} maxlength={SAFETY_ANALYSIS_MAX} />
  );
}

function SafetyForm(props: { p: Props }) {
  const { draft, messages } = refusedFor(props.p.refused, 'sia');
  const r = props.p.release;
  return (
    <form method="post" action={`/ui/releases/${r.id}/safety-impact-analysis`} id="sia" class="card">
      <h2 style="margin-top:0">Safety impact analysis</h2>
      <p class="hint">
        {r.hardwareId} carries an ASIL rating in the fleet: the release cannot be authorised without an analysis of its
        effect on the safety functions (IEC TR 63069).
      </p>
      <FormErrors messages={messages} />
      <Csrf token={props.p.csrf} />
      <SafetyAnalysisArea id="sia-analysis" name="analysis" label={SAFETY_LABELS.analysis} draft={draft} release={r} />
      <Field id="sia-reason" name="reason" label={SAFETY_LABELS.reason} draft={draft} maxlength={2000} wide />
      <button type="submit">Record the analysis</button>
    </form>
  );
}

function AuthorizationForm(props: { p: Props }) {
  const { draft, messages } = refusedFor(props.p.refused, 'authorize');
  const r = props.p.release;
  const decision = draft?.decision ?? '';
  return (
    <form method="post" action={`/ui/releases/${r.id}/authorization`} id="authorize" class="card">
      <h2 style="margin-top:0">Authorisation</h2>
      <p class="hint">
        Authorising needs test evidence{r.safetyRelevant ? ', a safety impact analysis' : ''} and every vulnerability it
        fixes being addressed; refusing is final.
      </p>
      <FormErrors messages={messages} />
      <Csrf token={props.p.csrf} />
      <fieldset>
        <legend>{AUTHORIZATION_LABELS.decision}</legend>
        <label style="font-weight:400">
          <input type="radio" name="decision" value="authorized" checked={decision === 'authorized'} /> Authorise
        </label>
        <label style="font-weight:400">
          <input type="radio" name="decision" value="not_authorized" checked={decision === 'not_authorized'} /> Refuse
        </label>
      </fieldset>
      <Field id="authorize-reason" name="reason" label={MOVE_LABELS.reason} draft={draft} maxlength={2000} wide />
      <EvidenceFields prefix="authorize" draft={draft} />
      {r.safetyRelevant ? (
        <SafetyAnalysisArea
          id="authorize-sia"
          name="safetyImpactAnalysis"
          label={AUTHORIZATION_LABELS.safetyImpactAnalysis}
          draft={draft}
          release={r}
          rows={4}
          hint="Recorded by the release engineer; change it here only if the analysis changed."
        />
      ) : null}
      <button type="submit">Record the decision</button>
    </form>
  );
}

function UploadForm(props: { p: Props }) {
  const r = props.p.release;
  return (
    <form
      method="post"
      action={`/ui/releases/${r.id}/images`}
      enctype="multipart/form-data"
      id="upload-form"
      aria-labelledby="h-upload"
    >
      <h3 id="h-upload">Upload images</h3>
      <Csrf token={props.p.csrf} />
      <div class="inline">
        <div>
          <label for="image-files">Image files</label>
          <input id="image-files" name="image" type="file" multiple required />
        </div>
        <Field
          id="image-hardwareIds"
          name="hardwareIds"
          label="Fits hardware ids"
          draft={undefined}
          value={r.hardwareId}
          hint="Comma-separated; the release's hardware id by default."
        />
      </div>
      <p>
        <button type="submit">Upload</button>
      </p>
      <ul id="upload-status" class="uploads" aria-live="polite"></ul>
    </form>
  );
}

function Images(props: { p: Props }) {
  const r = props.p.release;
  return (
    <section class="card" aria-labelledby="h-images">
      <h2 id="h-images" style="margin-top:0">
        Images
      </h2>
      <div id="release-images" data-refresh>
        {r.images.length === 0 ? <p>No image yet: the supplier test needs at least one.</p> : <ImageTable r={r} />}
      </div>
      {props.p.actions.upload ? <UploadForm p={props.p} /> : null}
    </section>
  );
}

function ImageTable(props: { r: Release }) {
  return (
    <table aria-labelledby="h-images">
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col">sha256</th>
          <th scope="col" class="num">
            Bytes
          </th>
          <th scope="col">Fits</th>
          <th scope="col">Uploaded</th>
        </tr>
      </thead>
      <tbody>
        {props.r.images.map((i) => (
          <tr>
            <td class="wrap">{i.fileName}</td>
            <td class="wrap">
              <code>{i.sha256}</code>
            </td>
            <td class="num">{i.length}</td>
            <td>{i.hardwareIds.join(', ')}</td>
            <td>{formatTime(i.uploadedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Facts(props: { r: Release }) {
  const r = props.r;
  return (
    <dl class="facts card" id="release-facts" data-refresh>
      <dt>State</dt>
      <dd>
        <span class={`badge s-${r.state}`} id="release-state">
          {humanize(r.state)}
        </span>
      </dd>
      <dt>Supplier</dt>
      <dd class="wrap">{r.supplier}</dd>
      <dt>Safety</dt>
      <dd>
        {r.safetyRelevant ? 'ASIL-rated hardware: a safety impact analysis is required' : 'not safety-relevant (QM)'}
      </dd>
      {r.safetyRelevant ? (
        <>
          <dt>Safety impact analysis</dt>
          <dd class="wrap">{r.safetyImpactAnalysis ?? 'not recorded yet'}</dd>
        </>
      ) : null}
      <dt>Notes</dt>
      <dd class="wrap">{r.notes || '—'}</dd>
      <dt>Created</dt>
      <dd>{formatTime(r.createdAt)}</dd>
    </dl>
  );
}

function Evidence(props: { r: Release }) {
  if (props.r.evidence.length === 0) return null;
  return (
    <section class="card" aria-labelledby="h-evidence">
      <h2 id="h-evidence" style="margin-top:0">
        Test evidence
      </h2>
      <table aria-labelledby="h-evidence">
        <TableHead columns={['For', 'Report', 'Log sha256', 'Recorded']} />
        <tbody>
          {props.r.evidence.map((e) => (
            <tr>
              <td>{humanize(e.stage)}</td>
              <td class="wrap">{e.reportRef}</td>
              <td class="wrap">
                <code>{e.logSha256}</code>
              </td>
              <td>{formatTime(e.recordedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Links(props: { p: Props }) {
  const r = props.p.release;
  return (
    <div class="grid">
      <section class="card" aria-labelledby="h-fixes">
        <h2 id="h-fixes" style="margin-top:0">
          Fixes
        </h2>
        {props.p.fixes.length === 0 ? (
          <p>No vulnerability recorded as fixed.</p>
        ) : (
          <ul>
            {props.p.fixes.map((v) => (
              <li class="wrap">
                <a href={`/ui/vulnerabilities/${v.id}`}>
                  #{v.id} {v.title}
                </a>{' '}
                <span class="badge">{humanize(v.phase)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="h-campaigns">
        <h2 id="h-campaigns" style="margin-top:0">
          Campaigns using it
        </h2>
        {props.p.campaigns.length === 0 ? (
          <p>No campaign installs it.</p>
        ) : (
          <ul>
            {props.p.campaigns.map((c) => (
              <li class="wrap">
                <a href={`/ui/campaigns/${c.id}`}>{c.name}</a>{' '}
                <span class={`badge s-${c.state}`}>{humanize(c.state)}</span>
              </li>
            ))}
          </ul>
        )}
        <p>
          <a href={`/ui/releases/${r.id}/components`}>Software components (SBOM) and their vulnerabilities</a>
        </p>
      </section>
    </div>
  );
}

/** One line per history entry: the state it moved to, or what it recorded. */
function describe(entry: AuditEntry): string | null {
  const d = entry.details as { fileName?: string; sha256?: string } | null;
  if (entry.action === 'release.image' && d?.fileName) return `${d.fileName}, sha256 ${d.sha256 ?? ''}`;
  const before = entry.before as { state?: string } | null;
  const after = entry.after as { state?: string } | null;
  if (before?.state && after?.state) return `${humanize(before.state)} → ${humanize(after.state)}`;
  return null;
}

export function ReleasePage(props: Props) {
  const r = props.release;
  const a = props.actions;
  return (
    <Page
      title={`Release ${r.hardwareId} ${r.version}`}
      section="releases"
      user={props.user}
      csrf={props.csrf}
      head={<script src="/ui/assets/release-page.js" defer></script>}
    >
      <BackLink href="/ui/releases">All releases</BackLink>
      <h1 class="wrap">
        {r.hardwareId} {r.version} <span class="hint">release #{r.id}</span>
      </h1>
      <Flash kind={props.flash?.kind ?? 'ok'} text={props.flash?.text} />
      <Facts r={r} />
      <Images p={props} />
      <section class="card" aria-labelledby="h-lifecycle" id="release-actions" data-refresh>
        <h2 id="h-lifecycle" style="margin-top:0">
          Lifecycle
        </h2>
        {a.moves.length === 0 ? <p class="hint">No lifecycle step is open to you in this state.</p> : null}
        <div class="grid">
          {a.moves.map((to) => (
            <MoveForm p={props} to={to} />
          ))}
        </div>
      </section>
      {a.safetyAnalysis ? <SafetyForm p={props} /> : null}
      {a.authorize ? <AuthorizationForm p={props} /> : null}
      <Evidence r={r} />
      <Links p={props} />
      <AuditTimeline id="h-history" title="History" entries={props.history} describe={describe} />
    </Page>
  );
}
