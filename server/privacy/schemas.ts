/**
 * Joi schemas of the privacy pages' forms: the address to erase (as ingest checks
 * addresses), and the confirmation that carries it again.
 */
import Joi from 'joi';

export interface ErasureForm {
  email: string;
}

export const erasureForm = Joi.object<ErasureForm>({
  email: Joi.string().trim().max(254).email({ tlds: { allow: false } }).required(),
});

export const confirmForm = Joi.object<ErasureForm & { confirm: 'yes' }>({
  email: erasureForm.extract('email'),
  confirm: Joi.string().valid('yes').required(),
});
