import { describe, expect, it } from 'vitest';
import { formErrors } from './api-call.ts';

describe('formErrors', () => {
  const labels = { name: 'Name', roles: 'Roles' };
  it('names each refused field by its form label, not its API path', () => {
    const problem = {
      detail: 'json.name: too long; json.roles.0: invalid',
      errors: [
        { field: 'json.name', message: 'too long' },
        { field: 'json.roles.0', message: 'invalid option' },
      ],
    };
    expect(formErrors(problem, labels)).toEqual({ name: 'Name: too long', roles: 'Roles: invalid option' });
    // A database duplicate names the column without the json prefix.
    expect(formErrors({ errors: [{ field: 'name', message: 'already exists' }] }, labels)).toEqual({
      name: 'Name: already exists',
    });
  });
  it('keeps a refusal without a field of the form (a rule, a conflict) for the whole form', () => {
    expect(formErrors({ title: 'Conflict', detail: 'you cannot disable yourself' }, labels)).toEqual({
      _: 'you cannot disable yourself',
    });
  });
});
