/**
 * Start-up: every file in surveys/ must be a valid template (else StartupError naming
 * the file, the field and what is wrong), and a template whose key is not in the
 * database yet is imported and published as version 1. Safe to run on every start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { recordAudit, type AuditActor } from '../audit';
import { AppError, StartupError } from '../errors';
import type { Logger } from '../logger';
import type { TemplateDefinition } from './definition';
import { Template } from './model';
import { insertVersion } from './publishing';
import { validateDefinition, describeIssues } from './validate-definition';

/** The repository's surveys/ folder. */
export const SURVEYS_DIR = path.resolve(__dirname, '..', '..', 'surveys');

export interface SurveyFile {
  file: string;
  definition: TemplateDefinition;
}

/** How a file is named in messages: relative to the working directory when inside it. */
function displayName(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/**
 * Reads and validates every template file of `dir` (*.json; dot files and *.md are
 * skipped). Throws StartupError on the first bad file, naming it and each wrong field.
 */
export function readSurveyFiles(dir: string = SURVEYS_DIR): SurveyFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch (err) {
    throw new StartupError(`Cannot read the survey templates folder ${displayName(dir)} (${(err as Error).message})`, undefined, { cause: err });
  }
  const files: SurveyFile[] = [];
  const byKey = new Map<string, string>();
  for (const name of names.filter((n) => !n.startsWith('.') && !n.endsWith('.md'))) {
    const file = path.join(dir, name);
    const shown = displayName(file);
    if (!name.endsWith('.json')) throw new StartupError(`Invalid survey template ${shown}: only .json files are read from the surveys folder`);
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new StartupError(`Invalid survey template ${shown}: not valid JSON (${(err as Error).message})`, undefined, { cause: err });
    }
    const result = validateDefinition(json);
    if (!result.ok) throw new StartupError(`Invalid survey template ${shown}: ${describeIssues(result.issues)}`);
    const other = byKey.get(result.definition.key);
    if (other) throw new StartupError(`Invalid survey template ${shown}: key "${result.definition.key}" is already the key of ${other}`);
    byKey.set(result.definition.key, shown);
    files.push({ file, definition: result.definition });
  }
  return files;
}

/**
 * Validates surveys/ (StartupError when a file is bad) and publishes version 1 of each
 * template not in the database yet. Templates already there are left alone: admins own them.
 */
export async function loadSurveyTemplates(options: { dir?: string; logger?: Logger } = {}): Promise<{ imported: string[] }> {
  const files = readSurveyFiles(options.dir);
  const imported: string[] = [];
  for (const { file, definition } of files) {
    if (await Template.exists({ key: definition.key })) continue;
    await seedTemplate(definition);
    imported.push(definition.key);
    options.logger?.info({ template: definition.key, file: displayName(file) }, 'survey template imported and published as version 1');
  }
  return { imported };
}

/** Version 1 first, then the template: a start-up cut in between is finished by the next one. */
async function seedTemplate(definition: TemplateDefinition): Promise<void> {
  const actor: AuditActor = { type: 'system' };
  try {
    await insertVersion(definition, 1, actor);
  } catch (err) {
    if (!(err instanceof AppError && err.code === 'VERSION_EXISTS')) throw err;
  }
  try {
    await Template.create({ key: definition.key, name: definition.name, currentVersion: 1, draft: null });
  } catch (err) {
    if ((err as { code?: unknown }).code === 11000) return; // another instance seeded it at the same moment
    throw err;
  }
  const target = { type: 'template', id: definition.key };
  await recordAudit({ actor, action: 'template.import', target, before: null, after: definition });
  await recordAudit({ actor, action: 'template.publish', target, before: null, after: { version: 1, definition } });
}
