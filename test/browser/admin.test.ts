import { beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../backend/http/auth.ts';
import { seedUser } from './seed.ts';
import type { SeededUser } from './seed.ts';
import { useDashboard } from './server.ts';

// The admin's job through the dashboard alone: users, roles, tokens; refused input names the field by
// its label, keeps what was typed and changes nothing in the database.

describe('the admin in chromium', () => {
  const dashboard = useDashboard();
  let admin: SeededUser;

  beforeAll(async () => {
    admin = await seedUser(dashboard.backend.db, 'ada', ['admin']);
    await seedUser(dashboard.backend.db, 'maria', ['campaign_manager']);
  }, 120_000);

  const userRow = (name: string) =>
    dashboard.backend.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
  const userCount = async () => (await dashboard.backend.db.selectFrom('users').select('id').execute()).length;

  it('creates a user, refusing a bad and a duplicate name by their label; issues a token shown once', async () => {
    const { context, page } = await dashboard.signedIn(admin.token);
    try {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
      await page.waitForURL(/\/ui\/admin\/users$/);
      const before = await userCount();

      await page.getByLabel('Name', { exact: true }).fill('nora; DROP');
      await page.getByLabel('auditor').check();
      await page.getByRole('button', { name: 'Create user' }).click();
      expect(await page.locator('#new-name-error').textContent()).toBe('Name: letters, digits, space, . _ - @ only');
      expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('nora; DROP');
      expect(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByLabel('auditor').isChecked()).toBe(true);

      await page.getByLabel('Name', { exact: true }).fill('maria');
      await page.getByRole('button', { name: 'Create user' }).click();
      expect(await page.locator('#new-name-error').textContent()).toBe('Name: already exists');
      expect(await userCount()).toBe(before);

      await page.getByLabel('Name', { exact: true }).fill('nora');
      await page.getByRole('button', { name: 'Create user' }).click();
      await page.waitForURL(/\/ui\/admin\/users\/\d+$/);
      const nora = await userRow('nora');
      expect(nora).toMatchObject({ roles: ['auditor'], disabled_at: null });
      expect(page.url()).toMatch(new RegExp(`/ui/admin/users/${nora?.id}$`));
      const created = await dashboard.backend.db
        .selectFrom('audit_log')
        .select(['actor', 'action'])
        .where('entity_type', '=', 'user')
        .where('entity_id', '=', String(nora?.id))
        .execute();
      expect(created).toEqual([{ actor: `user:${admin.id}:ada`, action: 'user.create' }]);

      await page.getByLabel('Token name').fill('nora laptop');
      await page.getByRole('button', { name: 'Create token' }).click();
      const token = (await page.locator('#issued-token').textContent()) ?? '';
      expect(token).toMatch(/^ota_[\w-]{20,}$/);
      const stored = await dashboard.backend.db
        .selectFrom('api_tokens')
        .selectAll()
        .where('user_id', '=', nora!.id)
        .execute();
      expect(stored).toMatchObject([{ name: 'nora laptop', token_sha256: hashToken(token), revoked_at: null }]);
      // Shown once: the user's page never shows it again.
      await page.goto(`${dashboard.backend.baseUrl}/ui/admin/users/${nora?.id}`);
      expect(await page.locator('#issued-token').count()).toBe(0);
      expect(await page.content()).not.toContain(token);
      // And it signs nora in.
      const asNora = await dashboard.signedIn(token, '/ui/audit');
      expect(new URL(asNora.page.url()).pathname).toBe('/ui/audit');
      await asNora.context.close();
    } finally {
      await context.close();
    }
  });

  it('changes roles with a reason, refuses locking oneself out, disables a user and revokes a token', async () => {
    const nils = await seedUser(dashboard.backend.db, 'nils', ['auditor']);
    const { context, page } = await dashboard.signedIn(admin.token, `/ui/admin/users/${nils.id}`);
    const asNils = await dashboard.signedIn(nils.token, '/ui/audit');
    try {
      await page.getByLabel('approver').check();
      await page.getByLabel('Reason for the change').fill('joins the release board');
      await page.getByRole('button', { name: 'Save roles' }).click();
      await expect(page.getByRole('status').first().textContent()).resolves.toBe('Roles saved.');
      expect((await userRow('nils'))?.roles).toEqual(['approver', 'auditor']);
      const rolesEntry = await dashboard.backend.db
        .selectFrom('audit_log')
        .select(['reason', 'after'])
        .where('action', '=', 'user.roles')
        .where('entity_id', '=', String(nils.id))
        .executeTakeFirstOrThrow();
      expect(rolesEntry).toEqual({ reason: 'joins the release board', after: { roles: ['approver', 'auditor'] } });

      // The admin's own page: disabling oneself is the API's refusal, shown on the form.
      await page.goto(`${dashboard.backend.baseUrl}/ui/admin/users/${admin.id}`);
      await page.getByLabel('Reason to disable').fill('testing');
      await page.getByRole('button', { name: 'Disable user' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toBe(
        'you cannot disable yourself; ask another admin',
      );
      expect(await page.getByLabel('Reason to disable').inputValue()).toBe('testing');
      expect((await userRow('ada'))?.disabled_at).toBeNull();

      // Revoke nils's token, then disable nils: his open session ends.
      await page.goto(`${dashboard.backend.baseUrl}/ui/admin/users/${nils.id}`);
      await page.getByLabel('Reason to revoke browser test').fill('rotated');
      await page.getByRole('button', { name: 'Revoke' }).click();
      await expect(page.getByRole('status').first().textContent()).resolves.toBe('Token revoked.');
      const revoked = await dashboard.backend.db
        .selectFrom('api_tokens')
        .select('revoked_at')
        .where('user_id', '=', nils.id)
        .execute();
      expect(revoked[0]?.revoked_at).toBeInstanceOf(Date);
      await page.getByLabel('Reason to disable').fill('left the company');
      await page.getByRole('button', { name: 'Disable user' }).click();
      await expect(page.locator('#user-state').textContent()).resolves.toMatch(/^disabled since/);
      expect((await userRow('nils'))?.disabled_at).toBeInstanceOf(Date);
      await asNils.page.reload();
      expect(new URL(asNils.page.url()).pathname).toBe('/ui/sign-in');

      // The roles page counts active holders from the database.
      await page.goto(`${dashboard.backend.baseUrl}/ui/admin/roles`);
      const auditorRow = page.getByRole('row', { name: /auditor reads the audit log/ });
      expect(await auditorRow.getByRole('cell').nth(2).textContent()).toBe('1');
    } finally {
      await asNils.context.close();
      await context.close();
    }
  });
});
