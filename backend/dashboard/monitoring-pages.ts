import { registerAdvisoryImportPage } from './advisory-import-page.tsx';
import type { DashboardApp, PageContext } from './context.ts';
import { registerCvssCalculatorPage } from './cvss-calculator-page.tsx';
import { registerFindingsPages } from './findings-pages.tsx';
import { registerReleaseComponentsPage } from './release-components-page.tsx';
import { registerVexDecisionPage } from './vex-decision-page.tsx';

/** The security engineer's vulnerability-monitoring pages, registered in one place. */
export function registerMonitoringPages(app: DashboardApp, ctx: PageContext): void {
  registerFindingsPages(app, ctx);
  registerAdvisoryImportPage(app, ctx);
  registerReleaseComponentsPage(app, ctx);
  registerVexDecisionPage(app, ctx);
  registerCvssCalculatorPage(app, ctx);
}
