/**
 * Survey template fixtures for integration tests (with useTestDatabase()): a published
 * template made through the real services, and the editor form filled in and sent the
 * way a browser does it.
 */
import fs from 'node:fs';
import path from 'node:path';
import type request from 'supertest';
import { createTemplate, publish, SURVEYS_DIR, type TemplateDefinition } from '../../server/templates';
import { formValues } from './html-form';

export const DEFAULT_TEMPLATE: TemplateDefinition = JSON.parse(fs.readFileSync(path.join(SURVEYS_DIR, 'post-call.json'), 'utf8'));

/** Version 1 published, with the questions of surveys/post-call.json under `key`. */
export async function seedTemplate(key: string): Promise<void> {
  await createTemplate({ ...DEFAULT_TEMPLATE, key }, { type: 'system' });
  await publish(key, { type: 'system' });
}

/** Opens the editor, lets `change` edit the form's values, and presses the button `action`. */
export async function editDraft(agent: request.Agent, key: string, change: (values: Record<string, string>) => void, action = 'save') {
  const page = await agent.get(`/admin/templates/${key}/edit`);
  if (page.status !== 200) throw new Error(`the editor of ${key} answered ${page.status}`);
  const values = formValues(page.text, `/admin/templates/${key}/draft`);
  change(values);
  return agent.post(`/admin/templates/${key}/draft`).type('form').send({ ...values, action });
}
