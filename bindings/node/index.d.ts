// SPDX-License-Identifier: MIT
// TypeScript declarations of the vidgo package: one file per API group under types/.
export * from './types/engine';
export * from './types/errors';
export * from './types/accounts';
export * from './types/plans';
export * from './types/credits';
export * from './types/cache';
export * from './types/providers';
export * from './types/jobs';
export * from './types/payments';
import * as errors from './types/errors';
export { errors };
