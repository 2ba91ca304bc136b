/**
 * Joi schemas: the template definition (structure, types, lengths, which fields each
 * question type takes) and the editor's request input. Cross-field rules (unique ids,
 * one information question, showIf on an earlier question) are in validate-definition.ts.
 */
import Joi from 'joi';
import { MAX_TEXT_MAX_LENGTH, QUESTION_TYPES, SCALE_TYPES, SLUG, SLUG_MAX } from './definition';

export const MAX_QUESTIONS = 30;
export const MAX_OPTIONS = 20;

const SLUG_MESSAGE = '{{#label}} must be lowercase letters, digits and single hyphens, starting with a letter (e.g. "post-call")';

export const slug = Joi.string().max(SLUG_MAX).pattern(SLUG).messages({ 'string.pattern.base': SLUG_MESSAGE });

const text = (max: number) => Joi.string().trim().min(1).max(max);
const localized = (max: number) => Joi.object({ fr: text(max).required(), en: text(max).required() });

const conditionValue = Joi.alternatives()
  .try(Joi.string().max(SLUG_MAX), Joi.number().integer())
  .messages({ 'alternatives.types': '{{#label}} must be "yes", "no", a whole number or an option id' });

const option = Joi.object({ id: slug.required(), label: localized(200).required() });

const onlyFor = (types: string | readonly string[], schema: Joi.Schema) =>
  Joi.when('type', {
    is: Joi.valid(...(Array.isArray(types) ? types : [types])),
    then: schema,
    otherwise: Joi.forbidden().messages({ 'any.unknown': '{{#label}} is not allowed for a question of this type' }),
  });

export const questionSchema = Joi.object({
  id: slug.required(),
  type: Joi.string()
    .valid(...QUESTION_TYPES)
    .required(),
  label: localized(300).required(),
  help: localized(500),
  required: Joi.boolean().required(),
  information: Joi.boolean().valid(true).messages({ 'any.only': '{{#label}} must be true, or left out' }),
  showIf: Joi.object({
    question: slug.required(),
    equals: conditionValue,
    in: Joi.array().items(conditionValue).min(1).max(MAX_OPTIONS),
  }).xor('equals', 'in'),
  options: onlyFor('choice', Joi.array().items(option).min(2).max(MAX_OPTIONS).required()),
  multiple: onlyFor('choice', Joi.boolean()),
  maxLength: onlyFor('text', Joi.number().integer().min(1).max(MAX_TEXT_MAX_LENGTH)),
  scale: onlyFor(SCALE_TYPES, Joi.object({ low: localized(60), high: localized(60) }).or('low', 'high')),
});

export const definitionSchema = Joi.object({
  key: slug.required(),
  name: localized(120).required(),
  intro: localized(1000),
  questions: Joi.array().items(questionSchema).min(1).max(MAX_QUESTIONS).required(),
});

/* Request input of the editor routes. The editor form itself is parsed by form.ts. */

export const keyParams = Joi.object({ key: slug.required() });

/** `version`: a version number, or "draft". */
export const versionQuery = Joi.object({
  version: Joi.alternatives().try(Joi.number().integer().min(1), Joi.string().valid('draft')),
});

export const previewQuery = Joi.object({
  version: Joi.alternatives().try(Joi.number().integer().min(1), Joi.string().valid('draft')),
  locale: Joi.string().valid('fr', 'en'),
}).unknown(true);

export const revisionBody = Joi.object({ revision: Joi.number().integer().min(0) }).unknown(true);

export const createBody = Joi.object({
  key: Joi.string().allow('').max(200).default(''),
  'name.fr': Joi.string().allow('').max(1000).default(''),
  'name.en': Joi.string().allow('').max(1000).default(''),
  from: Joi.string().allow('').max(200).default(''),
});

export const importBody = Joi.object({ json: Joi.string().allow('').max(95_000).default('') });
