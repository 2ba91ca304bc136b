/**
 * Aggregation expressions compiled once into closures, for the stages that evaluate the same
 * expressions on every document ($group). mingo interprets an expression tree anew for each
 * document, and its CommonJS build reaches each helper through a property getter: about
 * 2.5 µs per node, 50 µs per response document for the rollups' twenty counters. The
 * closures evaluate field paths, literals, object and array literals, $cond, $ifNull,
 * $and, $or, $not, $isNumber, $type, $strLenCP and the six comparisons with mingo's own
 * helpers, so the results are mingo's exactly; any other node (variables, other
 * operators, malformed arguments, operators the engine's context replaces) is handed to
 * mingo's evalExpr as it is.
 */
import path from 'node:path';

const core = require('mingo/core') as typeof import('mingo/types/core');
const util = require('mingo/util') as typeof import('mingo/types/util');
const mingoExpressions = require('mingo/operators/expression') as Record<string, unknown>;
// ComputeOptions and the comparison predicates are internal to mingo (not in its package
// exports); loading the files by path gives the very module instances mingo itself uses.
const internal = (...file: string[]) => path.join(path.dirname(require.resolve('mingo')), ...file);
const predicates = require(internal('operators', '_predicates.js')) as Record<Comparison, Predicate>;

/** The options mingo's evalExpr takes (its operator context, variables, the document it is rooted at). */
export type EvalOptions = Parameters<typeof core.evalExpr>[2];

/** mingo's evaluation options: init(options) once per stage, update({ root }) per document. */
export const { ComputeOptions } = require(internal('core', '_internal.js')) as {
  ComputeOptions: { init(options: unknown): { update(locals: { root: unknown }): EvalOptions } & EvalOptions };
};
type Predicate = (a: unknown, b: unknown, options: EvalOptions) => boolean;
type Comparison = '$eq' | '$ne' | '$gt' | '$gte' | '$lt' | '$lte';
const COMPARISONS = new Set<string>(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte']);
/** Operators of one evaluated argument that read nothing else of the document. */
const LITERAL_ARGUMENT = new Set<string>(['$type', '$strLenCP']);

/** Evaluates the expression on one document; `options` are rooted at that document. */
export type CompiledExpression = (doc: unknown, options: EvalOptions) => unknown;

// Direct references: calling through mingo's module objects costs a getter per call.
const { isArray, isNumber, isObject, isOperator, isNil, resolve } = util;
const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));
const isDocument = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};
// mingo's own truthiness (not exported): '' is true in strict mode, as in MongoDB.
const truthy = (value: unknown, strict: boolean | undefined) => Boolean(value) || (strict === true && value === '');

/**
 * `expr` as a closure. `context` is the engine's (engineContext()): an operator it
 * replaces is left to mingo, which calls the replacement. `usesMingo` is set when some
 * node is left to mingo, so that the caller keeps the options rooted per document.
 */
export function compileExpression(expr: unknown, context: EvalOptions['context'], state: { usesMingo: boolean } = { usesMingo: false }): CompiledExpression {
  const byMingo = (): CompiledExpression => {
    state.usesMingo = true;
    return (doc, options) => core.evalExpr(doc, expr, options);
  };
  const compile = (e: unknown) => compileExpression(e, context, state);

  if (typeof expr === 'string' && expr.startsWith('$')) {
    // Variables ($$ROOT, $$NOW, user variables) and the bare '$' stay with mingo.
    if (expr.startsWith('$$') || expr.length === 1) return byMingo();
    const selector = expr.slice(1);
    // A top-level field of a document is the property itself (what mingo's resolve returns
    // for one, after a dozen checks); paths, arrays and Object.prototype's names go through resolve.
    if (!selector.includes('.') && !PROTOTYPE_NAMES.has(selector)) {
      return (doc) => (isDocument(doc) ? doc[selector] : resolve(doc as Parameters<typeof resolve>[0], selector));
    }
    return (doc) => resolve(doc as Parameters<typeof resolve>[0], selector);
  }
  if (isArray(expr)) {
    const items = expr.map(compile);
    return (doc, options) => items.map((item) => item(doc, options));
  }
  if (!isObject(expr)) return () => expr;

  const keys = Object.keys(expr);
  if (!isOperator(keys[0] as string)) {
    const fields = keys.map((key) => [key, compile(expr[key])] as const);
    return (doc, options) => {
      const out: Record<string, unknown> = {};
      for (const [key, field] of fields) out[key] = field(doc, options);
      return out;
    };
  }
  const op = keys[0] as string;
  const args = expr[op];
  // mingo's own operator only: the engine context may replace one with its own rules.
  if (keys.length !== 1 || context.getOperator('expression' as never, op) !== mingoExpressions[op]) return byMingo();

  if (COMPARISONS.has(op) && isArray(args) && args.length === 2) {
    const predicate = predicates[op as Comparison];
    const [left, right] = args.map(compile) as [CompiledExpression, CompiledExpression];
    return (doc, options) => predicate(left(doc, options), right(doc, options), options);
  }
  if (op === '$cond') {
    const parts = isArray(args) ? (args.length === 3 ? args : null) : isObject(args) ? [args.if, args.then, args.else] : null;
    if (!parts) return byMingo();
    const [test, then, otherwise] = parts.map(compile) as [CompiledExpression, CompiledExpression, CompiledExpression];
    return (doc, options) => (truthy(test(doc, options), options.useStrictMode) ? then(doc, options) : otherwise(doc, options));
  }
  if (op === '$ifNull' && isArray(args)) {
    const inputs = args.map(compile);
    return (doc, options) => {
      let value: unknown;
      for (const input of inputs) {
        value = input(doc, options);
        if (!isNil(value)) return value;
      }
      return value;
    };
  }
  if ((op === '$and' || op === '$or') && isArray(args)) {
    const terms = args.map(compile);
    const every = op === '$and';
    return (doc, options) => {
      for (const term of terms) if (truthy(term(doc, options), options.useStrictMode) !== every) return !every;
      return every;
    };
  }
  if (op === '$isNumber') {
    const value = compile(args);
    return (doc, options) => isNumber(value(doc, options));
  }
  if (LITERAL_ARGUMENT.has(op)) {
    // The operator itself, on the value already computed: its rules and errors, none of the tree walk.
    const apply = mingoExpressions[op] as (doc: unknown, expr: unknown, options: EvalOptions) => unknown;
    const value = compile(args);
    state.usesMingo = true;
    return (doc, options) => {
      const v = value(doc, options);
      return op === '$strLenCP' && typeof v === 'string' ? [...v].length : apply(doc, { $literal: v }, options);
    };
  }
  if (op === '$not' && (!isArray(args) || args.length === 1)) {
    const term = compile(isArray(args) ? args[0] : args);
    return (doc, options) => !term(doc, options);
  }
  return byMingo();
}
