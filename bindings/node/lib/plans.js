// SPDX-License-Identifier: MIT
// engine.plans: plans, services, top-up packages and the access check
// (include/vidgo/plans.h).
//
// Records are plain objects; what a get or list returns can be edited and put back
// (`plans.put({ ...pro, name: 'team', rank: 9 })`). A put refuses unknown keys, so a
// misspelt field is an error rather than silently zero.
'use strict';

const { argError, options } = require('./args');
const errors = require('./errors');
const native = require('./native');

/** Plans, services and packages as stored, and "may this user do this now?". */
class Plans {
  constructor(engine) {
    this._engine = engine;
  }

  // --- plans ---------------------------------------------------------------------------

  /**
   * Every plan, by rank.
   * @returns {Promise<Plan[]>}
   */
  async list() {
    return native.plans_list(this._engine._ctx);
  }

  /**
   * One plan by name; rejects with PlanUnknown.
   * @param {string} name
   * @returns {Promise<Plan>}
   */
  async get(name) {
    return native.plan_get(this._engine._ctx, name);
  }

  /**
   * Creates or replaces a plan. Every field is checked; rejects with InvalidArgument
   * (the message names the field) or Utf8Error.
   * @param {Plan} plan
   * @returns {Promise<void>}
   */
  async put(plan) {
    return native.plan_put(this._engine._ctx, plan);
  }

  // --- services ------------------------------------------------------------------------

  /**
   * Every service, internal ones included.
   * @returns {Promise<Service[]>}
   */
  async services() {
    return native.services_list(this._engine._ctx);
  }

  /**
   * One service by name; rejects with ServiceUnknown.
   * @param {string} name
   * @returns {Promise<Service>}
   */
  async service(name) {
    return native.service_get(this._engine._ctx, name);
  }

  /**
   * Creates or replaces a service; rejects with PlanUnknown when its minPlan does not exist.
   * @param {Service} service
   * @returns {Promise<void>}
   */
  async putService(service) {
    return native.service_put(this._engine._ctx, service);
  }

  // --- packages ------------------------------------------------------------------------

  /**
   * Every active top-up package as offered to `plan` (undefined: list prices), by credits.
   * Rejects with PlanUnknown.
   * @param {string} [plan]
   * @returns {Promise<PackageOffer[]>}
   */
  async packages(plan) {
    return native.packages_list(this._engine._ctx, plan);
  }

  /**
   * Creates or replaces a package (credits > 0, price >= 0).
   * @param {Package} pkg
   * @returns {Promise<void>}
   */
  async putPackage(pkg) {
    return native.package_put(this._engine._ctx, pkg);
  }

  // --- access --------------------------------------------------------------------------

  /**
   * May the user use the service with these parameters now? Resolves to the decision
   * (`allowed`, `reason`, `reasonCode`, `price`, ...) whether or not it allows; rejects
   * only when it cannot decide (NotFound for no such user, ServiceUnknown for no such
   * service, ...).
   * @param {number} userId
   * @param {string} service
   * @param {{resolution?: number, durationS?: number, fps?: number}} [opts]
   *   0 or undefined: the service's own resolution, its default duration, 30 fps
   * @returns {Promise<Access>}
   */
  async checkAccess(userId, service, opts) {
    const { resolution, durationS, fps } = options(opts);
    return native.access_check(this._engine._ctx, userId,
                               { service, resolution, durationS, fps });
  }

  /**
   * The refusal of an access decision as the error it stands for (PlanTooLow,
   * InsufficientCredits, ...: `throw plans.accessError(access)`), or null when it allows.
   * @param {Access} access
   * @returns {VidgoError|null}
   */
  accessError(access) {
    if (access === null || typeof access !== 'object' || !Number.isInteger(access.reason)) {
      throw argError(TypeError, 'ERR_INVALID_ARG_TYPE',
                     'The "access" argument must be the result of checkAccess');
    }
    if (access.allowed || access.reason === 0) return null;
    return errors.makeError(access.reason, null, 0, this._engine.lang);
  }
}

module.exports = { Plans };
