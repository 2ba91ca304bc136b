/**
 * How answers combine: a question hidden by its showIf condition keeps no answer, and a
 * partial save (the one-click answer, an autosave) changes only the answers it carries.
 * Pure rules over a template version's questions; saving is service.ts.
 */
import { isShown, type Answers, type TemplateDefinition } from '../templates';

/**
 * The answers to questions of `definition` that apply, in question order: an answer to a
 * question whose condition is not met is dropped, so its dependants are judged without it.
 */
export function keepShown(definition: TemplateDefinition, answers: Answers): Answers {
  const kept: Answers = {};
  for (const question of definition.questions) {
    const value = answers[question.id];
    if (value !== undefined && isShown(question, kept)) kept[question.id] = value;
  }
  return kept;
}

/** The stored answers with a partial save's answers set and its emptied questions removed, then keepShown. */
export function mergeAnswers(definition: TemplateDefinition, stored: Answers, carried: Answers, cleared: readonly string[] = []): Answers {
  const merged: Answers = { ...stored };
  for (const id of cleared) delete merged[id];
  for (const [id, value] of Object.entries(carried)) if (value !== undefined) merged[id] = value;
  return keepShown(definition, merged);
}
