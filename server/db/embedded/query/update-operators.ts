/**
 * Field modifiers that replace one value: $set, $setOnInsert, $unset, $inc, $mul, $min,
 * $max, $currentDate, $bit and $rename. Each validates its argument when the update is
 * parsed (so a bad update fails even when nothing matches) and reports no-ops exactly.
 */
import { Int32, Timestamp } from 'bson';
import { fail } from '../errors';
import { addNumbers, bitwise, debugNumber, isIntegral, multiplyNumbers } from './update-numbers';
import { formatElement, formatId, identical, typeName } from './update-format';
import { NOOP, REMOVE, type LeafContext, type LeafOp, type LeafResult } from './update-types';
import { cloneValue, compareValues, isNumeric, isPlainObject } from './values';

function last(ctx: LeafContext): string {
  return ctx.path[ctx.path.length - 1];
}

// $set and $inc come once per field of every update statement: classes rather than
// closures, whose creation per statement costs more than applying them (the TypeScript
// loader gives every closure its name at creation).

/** $set and $setOnInsert. */
class SetTo implements LeafOp {
  readonly missing = 'create';

  constructor(
    readonly name: string,
    private readonly arg: unknown,
    readonly insertOnly: boolean,
  ) {}

  update(cur: unknown): LeafResult {
    return identical(cur, this.arg) ? NOOP : { kind: 'set', value: cloneValue(this.arg) };
  }

  create(): unknown {
    return cloneValue(this.arg);
  }
}

/** $inc and $mul. */
class Arithmetic implements LeafOp {
  readonly missing = 'create';

  constructor(
    readonly name: '$inc' | '$mul',
    field: string,
    private readonly arg: unknown,
  ) {
    if (!isNumeric(arg)) {
      throw fail('TypeMismatch', `Cannot ${name === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${formatElement(field, arg)}}`);
    }
  }

  update(cur: unknown, ctx: LeafContext): LeafResult {
    const { name } = this;
    if (!isNumeric(cur)) {
      throw fail('TypeMismatch', `Cannot apply ${name} to a value of non-numeric type. {${formatId(ctx.root)}} has the field '${last(ctx)}' of non-numeric type ${typeName(cur)}`);
    }
    const value = name === '$inc' ? addNumbers(cur, this.arg) : multiplyNumbers(cur, this.arg);
    if (value === undefined) {
      throw fail('BadValue', `Failed to apply ${name} operations to current value (${debugNumber(cur)}) for document {${formatId(ctx.root)}}`);
    }
    return identical(value, cur) ? NOOP : { kind: 'set', value };
  }

  /** A missing field counts as 0 of the argument's type: $inc stores the argument, $mul a zero. */
  create(): unknown {
    return this.name === '$inc' ? this.arg : multiplyNumbers(new Int32(0), this.arg);
  }
}

function compare(name: '$min' | '$max', arg: unknown): LeafOp {
  return {
    name,
    missing: 'create',
    update(cur) {
      const c = compareValues(arg, cur);
      return (name === '$min' ? c < 0 : c > 0) ? { kind: 'set', value: cloneValue(arg) } : NOOP;
    },
    create: () => cloneValue(arg),
  };
}

let lastTimestamp = { t: 0, i: 0 };

/** A cluster-time-like Timestamp: seconds of `now` and an increasing counter. */
export function nextTimestamp(now: Date): Timestamp {
  const t = Math.floor(now.getTime() / 1000);
  lastTimestamp = t > lastTimestamp.t ? { t, i: 1 } : { t: lastTimestamp.t, i: lastTimestamp.i + 1 };
  return new Timestamp({ t: lastTimestamp.t, i: lastTimestamp.i });
}

function currentDate(arg: unknown): LeafOp {
  let asDate = true;
  if (typeof arg === 'boolean') {
    asDate = true;
  } else if (isPlainObject(arg)) {
    let valid = false;
    for (const key of Object.keys(arg)) {
      if (key !== '$type') throw fail('BadValue', `Unrecognized $currentDate option: ${key}`);
      if (arg.$type === 'date' || arg.$type === 'timestamp') {
        valid = true;
        asDate = arg.$type === 'date';
      }
    }
    if (!valid) throw fail('BadValue', "The '$type' string field is required to be 'date' or 'timestamp': {$currentDate: {field : {$type: 'date'}}}");
  } else {
    throw fail('BadValue', `${typeName(arg)} is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({$type: 'timestamp/date'}).`);
  }
  const value = (ctx: LeafContext): unknown => (asDate ? new Date(ctx.now.getTime()) : nextTimestamp(ctx.now));
  return { name: '$currentDate', missing: 'create', update: (_cur, ctx) => ({ kind: 'set', value: value(ctx) }), create: value };
}

function bit(arg: unknown): LeafOp {
  if (!isPlainObject(arg)) {
    throw fail('BadValue', `The $bit modifier is not compatible with a ${typeName(arg)}. You must pass in an embedded document: {$bit: {field: {and/or/xor: #}}`);
  }
  const ops: Array<['and' | 'or' | 'xor', unknown]> = [];
  for (const key of Object.keys(arg)) {
    if (key !== 'and' && key !== 'or' && key !== 'xor') {
      throw fail('BadValue', `The $bit modifier only supports 'and', 'or', and 'xor', not '${key}' which is an unknown operator: {${formatElement(key, arg[key])}}`);
    }
    if (!isIntegral(arg[key])) {
      throw fail('BadValue', `The $bit modifier field must be an Integer(32/64 bit); a '${typeName(arg[key])}' is not supported here: {${formatElement(key, arg[key])}}`);
    }
    ops.push([key, arg[key]]);
  }
  if (ops.length === 0) {
    throw fail('BadValue', 'You must pass in at least one bitwise operation. The format is: {$bit: {field: {and/or/xor: #}}');
  }
  const run = (start: unknown): unknown => ops.reduce((acc, [op, operand]) => bitwise(op, acc, operand), start);
  return {
    name: '$bit',
    missing: 'create',
    update(cur, ctx) {
      if (!isIntegral(cur)) {
        throw fail('BadValue', `Cannot apply $bit to a value of non-integral type.${formatId(ctx.root)} has the field ${last(ctx)} of non-integer type ${typeName(cur)}`);
      }
      const value = run(cur);
      return identical(value, cur) ? NOOP : { kind: 'set', value };
    },
    create: () => run(new Int32(0)),
  };
}

/** The destination leaf of a $rename; the executor moves the source value here. */
export function renameModifier(from: string): LeafOp {
  return {
    name: '$rename',
    missing: 'create',
    renameFrom: from.split('.'),
    update: () => NOOP,
  };
}

/** Sits on the source path of a $rename so that other modifiers of that path conflict. */
export const PLACEHOLDER: LeafOp = { name: '$rename', missing: 'ignore', update: () => NOOP };

/** The modifier for a scalar operator, or undefined when `name` is an array operator. */
export function scalarModifier(name: string, field: string, arg: unknown): LeafOp | undefined {
  switch (name) {
    case '$set': return new SetTo('$set', arg, false);
    case '$setOnInsert': return new SetTo('$setOnInsert', arg, true);
    // The executor turns a removal inside an array into a null, so positions do not shift.
    case '$unset': return { name, missing: 'ignore', update: () => REMOVE };
    case '$inc': case '$mul': return new Arithmetic(name, field, arg);
    case '$min': case '$max': return compare(name, arg);
    case '$currentDate': return currentDate(arg);
    case '$bit': return bit(arg);
    default: return undefined;
  }
}
