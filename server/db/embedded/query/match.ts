/**
 * Query filters: `compileFilter(filter)` parses a filter once (with MongoDB's error codes
 * and messages) into closures that test typed documents, and reports the array position
 * the positional `$` operator needs. Field operators live in match-ops/match-special.
 */
import { Query } from 'mingo';
import { fail, unsupported } from '../errors';
import { isPlainObject, toPlain, type Doc } from './values';
import { MATCH, NO_MATCH, arrayAsDocument, isDocument, matchPath } from './paths';
import { expressionError, isUnknownOperator } from './match-errors';
import { regexParts } from './match-regex';
import {
  NEVER, andNodes, andOp, eqOp, existsOp, inOp, isOperatorObject, leafOp, notOp, rangeOp, regexDocumentOp, regexOp,
  type FieldOp, type Node,
} from './match-ops';
import { bitsOp, modOp, sizeOp, typeOp } from './match-special';

export interface Matcher {
  test(doc: Doc): boolean;
  /** `position`: index in the first array that made the first array-traversing predicate match. */
  matchPosition(doc: Doc): { matched: boolean; position?: number };
}

const ALWAYS: Node = () => MATCH;
const NOTHING: Node = () => NO_MATCH;

/** Operators that take no path; `{$elemMatch: {$and: ...}}` is therefore the document form. */
const PATHLESS = new Set([
  '$and', '$or', '$nor', '$expr', '$where', '$text', '$comment', '$jsonSchema', '$alwaysTrue',
  '$alwaysFalse', '$sampleRate', '$id', '$ref', '$db',
]);
/** Operators that take a path; a `$all` entry starting with one is an error. */
const PATH_OPERATORS = new Set([
  '$all', '$bitsAllClear', '$bitsAllSet', '$bitsAnyClear', '$bitsAnySet', '$elemMatch', '$eq', '$exists',
  '$geoIntersects', '$geoNear', '$geoWithin', '$gt', '$gte', '$in', '$lt', '$lte', '$mod', '$ne', '$near',
  '$nearSphere', '$nin', '$options', '$regex', '$size', '$type', '$within',
]);

export function compileFilter(filter: Doc | null | undefined): Matcher {
  const node = compileDocument(filter ?? {}, false);
  return {
    test: (doc) => node(doc) !== NO_MATCH,
    matchPosition: (doc) => {
      const r = node(doc);
      if (r === NO_MATCH) return { matched: false };
      return r >= 0 ? { matched: true, position: r } : { matched: true };
    },
  };
}

/** A filter document; `sub` inside $elemMatch, where top-level-only operators are refused. */
function compileDocument(filter: Doc, sub: boolean): Node {
  if (!isPlainObject(filter)) throw fail('BadValue', 'filter must be an object');
  const nodes: Node[] = [];
  for (const key of Object.keys(filter)) {
    const value = filter[key];
    if (key.startsWith('$')) {
      const n = compileTopLevel(key, value, sub);
      if (n) nodes.push(n);
    } else {
      nodes.push(compileField(key, value));
    }
  }
  return nodes.length === 0 ? ALWAYS : andNodes(nodes);
}

function compileField(path: string, value: unknown): Node {
  const parts = path.split('.');
  if (isOperatorObject(value)) return compileOperators(value as Doc, path).node(parts);
  if (regexParts(value)) return regexOp(value).node(parts);
  return eqOp(value).node(parts);
}

function topLevelOnly(key: string, sub: boolean): void {
  if (sub) throw fail('BadValue', `${key} can only be applied to the top-level document`);
}

function compileTopLevel(key: string, value: unknown, sub: boolean): Node | undefined {
  switch (key) {
    case '$and': case '$or': case '$nor': {
      if (!Array.isArray(value)) throw fail('BadValue', `${key} must be an array`);
      if (value.length === 0) throw fail('BadValue', '$and/$or/$nor must be a nonempty array');
      const children = value.map((c) => {
        if (!isPlainObject(c)) throw fail('BadValue', '$or/$and/$nor entries need to be full objects');
        return compileDocument(c, sub);
      });
      if (key === '$and') return andNodes(children);
      if (key === '$or') {
        return (root) => {
          for (const n of children) {
            const r = n(root);
            if (r !== NO_MATCH) return r;
          }
          return NO_MATCH;
        };
      }
      return (root) => (children.some((n) => n(root) !== NO_MATCH) ? NO_MATCH : MATCH);
    }
    case '$comment':
      return undefined;
    case '$expr':
      topLevelOnly(key, sub);
      return exprNode(value);
    case '$where':
      topLevelOnly(key, sub);
      throw unsupported('$where');
    case '$text':
      topLevelOnly(key, sub);
      throw unsupported('$text');
    case '$jsonSchema':
      throw unsupported('$jsonSchema');
    case '$alwaysTrue': case '$alwaysFalse':
      if (Number(toPlain(value)) !== 1) throw fail('FailedToParse', `${key} must be an integer value of 1`);
      return key === '$alwaysTrue' ? ALWAYS : NOTHING;
    case '$sampleRate': {
      topLevelOnly(key, sub);
      const rate = toPlain(value);
      if (typeof rate !== 'number') throw fail('BadValue', 'argument to $sampleRate must be a numeric type');
      if (!(rate >= 0 && rate <= 1)) throw fail('BadValue', 'numeric argument to $sampleRate must be in [0, 1]');
      return () => (Math.random() < rate ? MATCH : NO_MATCH);
    }
    case '$id': case '$ref': case '$db':
      // DBRef fields queried by name are plain equality.
      return eqOp(value).node([key]);
    default: {
      const hint = key === '$not'
        ? '. If you are trying to negate an entire expression, use $nor.'
        : ". If you have a field name that starts with a '$' symbol, consider using $getField or $setField.";
      throw fail('BadValue', `unknown top level operator: ${key}${hint}`);
    }
  }
}

/** `$expr`: aggregation expressions evaluated by mingo on the plain form of the document. */
function exprNode(expr: unknown): Node {
  let query: Query;
  try {
    query = new Query({ $expr: toPlain(expr) });
  } catch (e) {
    throw expressionError(e);
  }
  try {
    // mingo resolves operators lazily; one trial run reports unknown ones at parse time, like MongoDB.
    query.test({});
  } catch (e) {
    if (isUnknownOperator(e)) throw expressionError(e);
  }
  return (root) => {
    try {
      return query.test(toPlain(root) as Doc) ? MATCH : NO_MATCH;
    } catch (e) {
      throw expressionError(e);
    }
  };
}

/** An operator document such as `{ $gt: 1, $lt: 5 }`: every operator must hold. */
function compileOperators(ops: Doc, field: string): FieldOp {
  const keys = Object.keys(ops);
  if (keys[0] === '$near' || keys[0] === '$nearSphere' || keys[0] === '$geoNear') throw unsupported(keys[0]);
  const compiled: FieldOp[] = [];
  for (const key of keys) {
    const arg = ops[key];
    switch (key) {
      case '$eq': compiled.push(eqOp(arg)); break;
      case '$ne':
        if (regexParts(arg)) throw fail('BadValue', "Can't have regex as arg to $ne.");
        compiled.push(notOp(eqOp(arg)));
        break;
      case '$gt': case '$gte': case '$lt': case '$lte': compiled.push(rangeOp(key, arg, field)); break;
      case '$in': compiled.push(inOp(arg, key)); break;
      case '$nin': compiled.push(notOp(inOp(arg, key))); break;
      case '$exists': compiled.push(existsOp(arg)); break;
      case '$type': compiled.push(typeOp(arg, field)); break;
      case '$size': compiled.push(sizeOp(arg)); break;
      case '$mod': compiled.push(modOp(arg)); break;
      case '$bitsAllSet': case '$bitsAllClear': case '$bitsAnySet': case '$bitsAnyClear':
        compiled.push(bitsOp(key, arg));
        break;
      case '$regex': compiled.push(regexDocumentOp(ops, keys)); break;
      case '$options':
        if (!keys.includes('$regex')) throw fail('BadValue', '$options needs a $regex');
        break;
      case '$not': compiled.push(notExpression(arg, field)); break;
      case '$elemMatch': compiled.push(elemMatchOp(arg)); break;
      case '$all': compiled.push(allOp(arg)); break;
      case '$near': case '$nearSphere': case '$geoNear': case '$geoWithin': case '$geoIntersects': case '$within':
        throw unsupported(key);
      case '$where': throw fail('BadValue', '$where cannot be applied to a field');
      default: throw fail('BadValue', `unknown operator: ${key}`);
    }
  }
  return compiled.length === 0 ? leafOp(() => true) : andOp(compiled);
}

function notExpression(arg: unknown, field: string): FieldOp {
  if (regexParts(arg)) return notOp(regexOp(arg));
  if (!isDocument(arg)) throw fail('BadValue', '$not needs a regex or a document');
  if (Object.keys(arg).length === 0) throw fail('BadValue', '$not cannot be empty');
  return notOp(compileOperators(arg, field));
}

/**
 * `$elemMatch`: some element of the array satisfies the condition. An operator document
 * (`{$gt: 1, $lt: 5}`) tests each element as a value; otherwise it is a filter applied
 * to elements that are documents (arrays count as documents keyed "0", "1"...).
 */
function elemMatchOp(arg: unknown): FieldOp {
  if (!isDocument(arg) || (arg as { _bsontype?: string })._bsontype) throw fail('BadValue', '$elemMatch needs an Object');
  const keys = Object.keys(arg);
  const dbref = keys.includes('$ref') || keys.includes('$id') || keys.includes('$db');
  const valueForm = keys.length > 0 && keys[0].startsWith('$') && !dbref && !PATHLESS.has(keys[0]);
  let test: (el: unknown) => boolean;
  if (valueForm) {
    test = compileOperators(arg, '').single;
  } else {
    const inner = compileDocument(arg, true);
    test = (el) => {
      if (isDocument(el)) return inner(el) !== NO_MATCH;
      return Array.isArray(el) && inner(arrayAsDocument(el)) !== NO_MATCH;
    };
  }
  let hit = -1; // index of the element that satisfied the last successful `single` call
  const single = (v: unknown): boolean => {
    if (!Array.isArray(v)) return false;
    for (let j = 0; j < v.length; j++) {
      if (test(v[j])) {
        hit = j;
        return true;
      }
    }
    return false;
  };
  return {
    single,
    node: (parts) => (root) => {
      const r = matchPath(root, parts, 0, single, false, MATCH);
      return r === MATCH ? hit : r;
    },
  };
}

/** `$all`: every listed value (or regex) is matched, or every listed `$elemMatch` holds. */
function allOp(arg: unknown): FieldOp {
  if (!Array.isArray(arg)) throw fail('BadValue', '$all needs an array');
  if (arg.length === 0) return NEVER;
  const firstKey = (x: unknown): string | undefined => (isDocument(x) ? Object.keys(x)[0] : undefined);
  if (firstKey(arg[0]) === '$elemMatch') {
    return andOp(arg.map((x) => {
      if (firstKey(x) !== '$elemMatch') throw fail('BadValue', '$all/$elemMatch has to be consistent');
      return elemMatchOp((x as Doc).$elemMatch);
    }));
  }
  return andOp(arg.map((x) => {
    if (regexParts(x)) return regexOp(x);
    const k = firstKey(x);
    if (k !== undefined && PATH_OPERATORS.has(k)) throw fail('BadValue', 'no $ expressions in $all');
    return eqOp(x);
  }));
}
