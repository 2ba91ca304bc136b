/**
 * Joi schemas for site input: the API body (PUT /api/v1/sites/:code), its path, and
 * the admin forms. Country and time zone are checked against ISO 3166 and the IANA
 * database; codes are upper-cased, zones spelled canonically.
 */
import Joi from 'joi';
import { LOCALES, type Locale } from '../i18n';
import { COUNTRY_CODES } from './countries';
import { canonicalTimeZone } from './time-zones';

export const SITE_CODE = /^[A-Z0-9]{2,10}$/;

export const siteCode = Joi.string()
  .trim()
  .uppercase()
  .pattern(SITE_CODE)
  .messages({ 'string.pattern.base': '{#label} must be 2 to 10 capital letters or digits' });

const timezone = Joi.string()
  .trim()
  .custom((value: string, helpers) => canonicalTimeZone(value) ?? helpers.message({ custom: '{#label} must be an IANA time zone such as Europe/Paris' }));

/** What a site is made of, besides its code. */
export interface SiteInput {
  name: string;
  country: string;
  timezone: string;
  locale: Locale;
  /** Absent: unchanged (true for a new site). */
  active?: boolean;
}

const siteFields = {
  name: Joi.string().trim().min(1).max(100).required(),
  country: Joi.string().trim().uppercase().valid(...COUNTRY_CODES).required().messages({
    'any.only': '{#label} must be an ISO 3166-1 alpha-2 country code such as FR or MA',
  }),
  timezone: timezone.required(),
  locale: Joi.string().valid(...LOCALES).required(),
};

export const siteParams = Joi.object({ code: siteCode.required() });

/** PUT /api/v1/sites/:code: the whole site; `active` optional. */
export const siteBody = Joi.object<SiteInput>({ ...siteFields, active: Joi.boolean() });

/** The new-site form: the code plus the fields; a new site is active. */
export const newSiteForm = Joi.object<SiteInput & { code: string }>({ code: siteCode.required(), ...siteFields });

/** The edit form: an unchecked "active" box is simply absent. */
export const editSiteForm = Joi.object<SiteInput>({
  ...siteFields,
  active: Joi.boolean().truthy('on', '1').falsy('0', '').default(false),
});
