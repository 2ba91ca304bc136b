/**
 * Survey templates, the public surface: the format and its validation, the published
 * version a new invitation uses and the exact version a response points at, start-up
 * loading of surveys/, the admin editor's router. Models stay inside server/templates/.
 */
export * from './definition';
export { validateDefinition, describeIssues, type TemplateIssue, type ValidationResult } from './validate-definition';
export type { PublishedVersion, TemplateSummary, TemplateWithDraft, TemplateStatus } from './records';
export { findTemplate, getTemplate, getPublished, getVersion, getVersionByNumber, listTemplates, listVersions, exportTemplate } from './service';
export { createTemplate, saveDraft, discardDraft, importTemplate, setArchived } from './editing';
export { publish, diffDefinitions, type TemplateDiff } from './publishing';
export { loadSurveyTemplates, readSurveyFiles, SURVEYS_DIR } from './boot';
export { surveyQuestions, localize, type QuestionView, type SurveyViewOptions } from './survey-view';
export { templateRoutes } from './routes';
