import type { AdminUserPatch, User } from '@marketplace/contracts';
import { flushPromises, mount } from '@vue/test-utils';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Client from '../../api/client.ts';
import type { Confirm } from './confirm.ts';

const updateUser = vi.fn<(id: string, body: AdminUserPatch) => Promise<User>>();
vi.mock('../../api/client.ts', async (original) => ({
  ...(await original<typeof Client>()),
  updateUser: (id: string, body: AdminUserPatch) => updateUser(id, body),
}));

const { i18n } = await import('../../i18n/index.ts');
const AdminUserRow = (await import('./AdminUserRow.vue')).default;

const USER: User = {
  id: '00000000-0000-4000-8000-000000000201',
  email: 'ada@example.test',
  name: 'Ada',
  role: 'buyer',
  phone: null,
  address: null,
  language: 'en',
  blocked: false,
  createdAt: '2026-01-02T10:00:00.000Z',
};

function mountRow(self: boolean, confirm: Confirm = () => Promise.resolve(true)) {
  return mount(AdminUserRow, {
    props: { user: USER, self, confirm },
    global: { plugins: [i18n] },
    attachTo: document.body,
  });
}

describe('a user row', () => {
  beforeEach(() => updateUser.mockReset());

  it('when it is the admin’s own row, then neither block nor role can be changed', () => {
    const wrapper = mountRow(true);
    expect(wrapper.get('[data-testid="admin-user-block"]').attributes('disabled')).toBeDefined();
    expect(wrapper.get('[data-testid="admin-user-role"]').attributes('disabled')).toBeDefined();
    expect(
      wrapper.get('[data-testid="admin-user-role-save"]').attributes('disabled'),
    ).toBeDefined();
    expect(wrapper.text()).toContain(i18n.global.t('admin.users.selfHint'));
  });

  it('when a block is confirmed, then it is sent and the row shows the answer', async () => {
    const confirm = vi.fn<Confirm>(() => Promise.resolve(true));
    const wrapper = mountRow(false, confirm);
    updateUser.mockResolvedValue({ ...USER, blocked: true });
    await wrapper.get('[data-testid="admin-user-block"]').trigger('click');
    await flushPromises();
    expect(confirm).toHaveBeenCalledOnce();
    expect(updateUser).toHaveBeenCalledWith(USER.id, { blocked: true });
    expect(wrapper.emitted('updated')?.[0]).toEqual([{ ...USER, blocked: true }]);
  });

  it('when a block is cancelled, then nothing is sent', async () => {
    const wrapper = mountRow(false, () => Promise.resolve(false));
    await wrapper.get('[data-testid="admin-user-block"]').trigger('click');
    await flushPromises();
    expect(updateUser).not.toHaveBeenCalled();
  });

  it('when another role is chosen and saved, then only the role is sent', async () => {
    const wrapper = mountRow(false);
    updateUser.mockResolvedValue({ ...USER, role: 'seller' });
    await wrapper.get('[data-testid="admin-user-role"]').setValue('seller');
    await wrapper.get('form').trigger('submit');
    await flushPromises();
    expect(updateUser).toHaveBeenCalledWith(USER.id, { role: 'seller' });
    expect(wrapper.text()).toContain(i18n.global.t('admin.users.roleSaved'));
  });
});
