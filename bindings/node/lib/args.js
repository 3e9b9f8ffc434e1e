// SPDX-License-Identifier: MIT
// Checks of JS arguments shared by the API groups. A bad argument is Node's own error: a
// TypeError with code 'ERR_INVALID_ARG_TYPE' (a wrong type), or 'ERR_INVALID_ARG_VALUE'
// (a RangeError for a number out of range, a TypeError for an unknown option). What the
// addon reads itself (ids, strings, enums) it checks itself, with the same errors.
'use strict';

/**
 * An error of `Class` (TypeError, RangeError, ...) with Node's `code`.
 * @param {ErrorConstructor} Class
 * @param {string} code 'ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE', ...
 * @param {string} message
 * @returns {Error}
 */
function argError(Class, code, message) {
  const err = new Class(message);
  err.code = code;
  return err;
}

/**
 * An options argument: undefined and null are {}, anything else must be an object. With
 * `knownKeys`, a key not among them is refused too, so that a misspelt option is an error
 * rather than silently ignored.
 * @param {unknown} value
 * @param {readonly string[]} [knownKeys]
 * @param {string} [name] the argument's name in messages
 * @returns {object}
 */
function options(value, knownKeys, name = 'options') {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" argument must be an object`);
  }
  if (knownKeys) {
    for (const key of Object.keys(value)) {
      if (!knownKeys.includes(key)) {
        throw argError(TypeError, 'ERR_INVALID_ARG_VALUE',
          `The "${name}" argument has an unknown key "${key}" (known: ${knownKeys.join(', ')})`);
      }
    }
  }
  return value;
}

/**
 * A non-negative safe integer, or `fallback` when absent (undefined or null).
 * @param {unknown} value
 * @param {string} name the argument's name in messages
 * @param {number} fallback
 * @returns {number}
 */
function nonNegative(value, name, fallback) {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', `The "${name}" argument must be a number`);
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw argError(RangeError, 'ERR_INVALID_ARG_VALUE',
      `The "${name}" argument must be a non-negative integer`);
  }
  return value;
}

/**
 * The id of a record (a hold, a job: anything with `id`), or the value itself when it is
 * not an object (an id, or a bad argument for the addon to refuse).
 * @param {unknown} value
 * @returns {unknown}
 */
function idOf(value) {
  return value !== null && typeof value === 'object' ? value.id : value;
}

module.exports = { argError, options, nonNegative, idOf };
