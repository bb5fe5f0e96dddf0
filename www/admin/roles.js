// The admin dashboard's roles and permissions: the roles with their permissions and a form to
// create one, a role's page (`#roles/<id>`) to edit it, deletion after a confirmation, and the
// organization's permissions, created and deleted here (the server takes a deleted one from
// every role).
import {
  api, el, plural, refusal, viewTitle, claim, problem, notice, field, checkGroup, checkedValues,
  apiForm, dangerButton, table, link, LATCHKEY_PERMISSIONS,
} from '/admin/common.js';

const READ = 'roles:read';
const WRITE = 'roles:write';
const TITLE = 'Roles and permissions';
const CONFLICTS = { ROLE_EXISTS: 'name', PERMISSION_EXISTS: 'name' };
const page = (id) => `#roles/${encodeURIComponent(id)}`;

/** What the list says next, after an action. */
let told = '';

export async function show(view, id) {
  const current = claim(view);
  let roles;
  let permissions;
  try {
    [{ roles }, { permissions }] = await Promise.all([api('/api/v1/roles'), api('/api/v1/permissions')]);
  } catch (e) {
    if (current()) viewTitle(view, TITLE, problem(e, READ));
    return;
  }
  if (!current()) return;
  if (id) return showRole(view, roles.find((r) => r.id === id), permissions);
  const again = (said) => { told = said; show(view); };
  viewTitle(view, TITLE, notice(told),
    rolesCard(roles, permissions, again), createRoleForm(permissions, again),
    permissionsCard(permissions, roles, again), createPermissionForm(again));
  told = '';
}

/** What a change of these permissions needs: roles:write, and the caller must hold every
 * Latchkey permission among them. */
const needs = (names) => ['roles:write', ...names.filter((n) => LATCHKEY_PERMISSIONS.includes(n))].join(', ');
const namesOf = (ids, permissions) => ids.map((id) => permissions.find((p) => p.id === id)?.name ?? id);

// ---- roles ----------------------------------------------------------------------------------

function rolesCard(roles, permissions, again) {
  const h3 = el('h3', { textContent: 'Roles' });
  const error = el('p', { className: 'error', role: 'alert' });
  if (roles.length === 0) return el('section', { className: 'card' }, h3, el('p', { className: 'muted', textContent: 'No role yet.' }));
  const rows = roles.map((r) => {
    const names = namesOf(r.permission_ids, permissions);
    const remove = async () => {
      error.textContent = '';
      try {
        await api(`/api/v1/roles/${encodeURIComponent(r.id)}`, { method: 'DELETE' });
        again(`Deleted the role ${r.name}.`);
      } catch (e) {
        error.textContent = refusal(e, needs(names));
      }
    };
    return [
      link(page(r.id), r.name),
      r.description,
      names.join(', ') || 'None',
      dangerButton('Delete', `Delete the role ${r.name}? Its users lose what it grants.`, remove, `Delete the role ${r.name}`),
    ];
  });
  return el('section', { className: 'card' }, h3, table('Roles', ['Role', 'Description', 'Permissions', 'Delete'], rows), error);
}

/** A role's name, description and permissions, filled from `role`. */
function roleFields(permissions, role = { name: '', description: '', permission_ids: [] }) {
  const name = el('input', { name: 'name', required: true, value: role.name, autocomplete: 'off', spellcheck: false });
  const description = el('textarea', { name: 'description', value: role.description, rows: 2 });
  const boxes = permissions.length
    ? checkGroup('Permissions', 'permission_ids', permissions.map((p) => [p.id, p.name]), role.permission_ids)
    : el('p', { className: 'muted', textContent: 'No permission yet: create some below, then give them to roles.' });
  return [field('Name', name, 'Lower case: a-z, 0-9, and . _ : -'), field('Description', description), boxes];
}

/** The role's fields as the API takes them. */
function roleBody(form) {
  const [name, description, ids] = ['name', 'description', 'permission_ids'].map((n) => form.elements.namedItem(n));
  return { name: name.value, description: description.value, permission_ids: ids ? checkedValues(ids) : [] };
}

function createRoleForm(permissions, again) {
  return apiForm({
    title: 'Create a role',
    button: 'Create role',
    permission: (form) => needs(namesOf(roleBody(form).permission_ids, permissions)),
    fields: CONFLICTS,
    children: roleFields(permissions),
    submit: async (form) => {
      const role = await api('/api/v1/roles', { method: 'POST', body: roleBody(form) });
      again(`Created the role ${role.name}.`);
    },
  });
}

/** A role's page: its fields to edit and save. */
function showRole(view, role, permissions) {
  const back = el('p', {}, link('#roles', '← All roles and permissions'));
  if (!role) {
    viewTitle(view, 'Role', back, el('p', { className: 'error', role: 'alert', textContent: 'There is no such role: it may have been deleted.' }));
    return;
  }
  const h2 = viewTitle(view, `Role ${role.name}`, back, apiForm({
    title: 'Edit the role',
    button: 'Save',
    permission: (form) => needs(namesOf([...role.permission_ids, ...roleBody(form).permission_ids], permissions)),
    fields: CONFLICTS,
    children: roleFields(permissions, role),
    submit: async (form) => {
      role = await api(`/api/v1/roles/${encodeURIComponent(role.id)}`, { method: 'PUT', body: roleBody(form) });
      h2.textContent = `Role ${role.name}`;
      form.elements.namedItem('name').value = role.name;
      return 'Saved.';
    },
  }));
}

// ---- permissions ----------------------------------------------------------------------------

function permissionsCard(permissions, roles, again) {
  const h3 = el('h3', { textContent: 'Permissions' });
  const error = el('p', { className: 'error', role: 'alert' });
  if (permissions.length === 0) return el('section', { className: 'card' }, h3, el('p', { className: 'muted', textContent: 'No permission yet.' }));
  const rows = permissions.map((p) => {
    const holders = roles.filter((r) => r.permission_ids.includes(p.id));
    const remove = async () => {
      error.textContent = '';
      try {
        await api(`/api/v1/permissions/${encodeURIComponent(p.id)}`, { method: 'DELETE' });
        again(`Deleted the permission ${p.name}.`);
      } catch (e) {
        error.textContent = refusal(e, needs([p.name]));
      }
    };
    const question = holders.length
      ? `Delete ${p.name}? It is taken from ${plural(holders.length, 'role', 'roles')} too.`
      : `Delete ${p.name}?`;
    return [
      el('code', { textContent: p.name }),
      p.description,
      holders.map((r) => r.name).join(', ') || 'None',
      dangerButton('Delete', question, remove, `Delete the permission ${p.name}`),
    ];
  });
  return el('section', { className: 'card' }, h3, table('Permissions', ['Permission', 'Description', 'In roles', 'Delete'], rows), error);
}

function createPermissionForm(again) {
  const name = el('input', { name: 'name', required: true, autocomplete: 'off', spellcheck: false });
  const description = el('textarea', { name: 'description', rows: 2 });
  return apiForm({
    title: 'Create a permission',
    button: 'Create permission',
    permission: () => needs([name.value.trim().toLowerCase()]),
    fields: CONFLICTS,
    children: [
      field('Name', name, 'Lower case: a-z, 0-9, and . _ : -, like invoices:read. A name of Latchkey’s own (users:read…) grants that administrative permission.'),
      field('Description', description),
    ],
    submit: async () => {
      const p = await api('/api/v1/permissions', { method: 'POST', body: { name: name.value, description: description.value } });
      again(`Created the permission ${p.name}.`);
    },
  });
}
