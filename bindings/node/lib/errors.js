// SPDX-License-Identifier: MIT
// One error class per kind of failure, mapped from libvidgo's status codes. Every error
// has Node's conventions: `err.code` is the status name ('VG_EINSUFFICIENT_CREDITS'),
// `err.errno` its number; `err.message` is in the engine's language: the description for
// end users (`err.userMessage`), followed by libvidgo's own account of this failure
// (`err.detail`, English, never a secret) in parentheses when it says more.
'use strict';

const native = require('./native');

class VidgoError extends Error {
  constructor(message, errno = -1, code = 'VG_ERROR', userMessage = message, detail = '') {
    super(message);
    this.errno = errno;
    this.code = code;
    this.userMessage = userMessage;
    this.detail = detail;
  }

  get name() { return this.constructor.name; }
}

// [class, parent, status names it is raised for]. Where the Python binding has two bases
// (InsufficientCredits is a CreditsError and an AccessDenied), the first is the parent here.
const HIERARCHY = [
  ['InternalError', 'VidgoError', ['VG_ERROR']],
  ['InvalidArgument', 'VidgoError', ['VG_EINVAL', 'VG_EUTF8', 'VG_ERANGE']],
  ['OutOfMemory', 'VidgoError', ['VG_ENOMEM']],
  ['NotFound', 'VidgoError', ['VG_ENOTFOUND']],
  ['AlreadyExists', 'VidgoError', ['VG_EEXISTS']],
  ['Unsupported', 'VidgoError', ['VG_EUNSUPPORTED']],
  ['InvalidState', 'VidgoError', ['VG_ESTATE']],
  ['VersionError', 'VidgoError', ['VG_EVERSION']],
  ['ConfigError', 'VidgoError', ['VG_ECONFIG']],
  ['Cancelled', 'VidgoError', ['VG_ECANCELLED']],
  ['Timeout', 'VidgoError', ['VG_ETIMEOUT']],
  ['IOFailure', 'VidgoError', ['VG_EIO']],
  ['BufferTooSmall', 'InvalidArgument', ['VG_EBUFSIZE']],
  ['ClosedError', 'VidgoError', []],
  ['StoreError', 'VidgoError', ['VG_ESTORE']],
  ['StoreOpenError', 'StoreError', ['VG_ESTORE_OPEN']],
  ['StoreCorrupt', 'StoreError', ['VG_ESTORE_CORRUPT']],
  ['StoreVersionError', 'StoreError', ['VG_ESTORE_VERSION']],
  ['StoreBusy', 'StoreError', ['VG_EBUSY']],
  ['StoreConflict', 'StoreError', ['VG_ECONFLICT']],
  ['StoreReadOnly', 'StoreError', ['VG_ESTORE_READONLY']],
  ['ConstraintError', 'StoreError', ['VG_ECONSTRAINT']],
  ['StoreConnectError', 'StoreError', ['VG_ESTORE_CONNECT']],
  ['PlanUnknown', 'NotFound', ['VG_EPLAN_UNKNOWN']],
  ['ServiceUnknown', 'NotFound', ['VG_ESERVICE_UNKNOWN']],
  ['AccessDenied', 'VidgoError', []],
  ['PlanTooLow', 'AccessDenied', ['VG_EPLAN_TOO_LOW']],
  ['SubscribersOnly', 'AccessDenied', ['VG_ESUBSCRIBERS_ONLY']],
  ['ResolutionNotAllowed', 'AccessDenied', ['VG_ERESOLUTION']],
  ['DemoCacheOnly', 'AccessDenied', ['VG_EDEMO_CACHE_ONLY']],
  ['DemoUsedUp', 'AccessDenied', ['VG_EDEMO_USED_UP']],
  ['ParameterNotAllowed', 'AccessDenied', ['VG_EPARAMETER']],
  ['CreditsError', 'VidgoError', []],
  ['InsufficientCredits', 'CreditsError', ['VG_EINSUFFICIENT_CREDITS']],
  ['IdempotencyConflict', 'VidgoError', ['VG_EIDEMPOTENCY_CONFLICT']],
  ['HoldSettled', 'CreditsError', ['VG_EHOLD_SETTLED']],
  ['HoldExpired', 'CreditsError', ['VG_EHOLD_EXPIRED']],
  ['LedgerTampered', 'CreditsError', ['VG_ELEDGER_TAMPERED']],
  ['InvariantViolation', 'CreditsError', ['VG_EINVARIANT']],
  ['AccountError', 'VidgoError', []],
  ['EmailInvalid', 'AccountError', ['VG_EEMAIL_INVALID']],
  ['EmailTaken', 'AccountError', ['VG_EEMAIL_TAKEN']],
  ['PasswordPolicy', 'AccountError', ['VG_EPASSWORD_POLICY']],
  ['AuthFailed', 'AccountError', ['VG_EAUTH_FAILED']],
  ['NotVerified', 'AccountError', ['VG_ENOT_VERIFIED']],
  ['VerificationFailed', 'AccountError', []],
  ['CodeInvalid', 'VerificationFailed', ['VG_ECODE_INVALID']],
  ['CodeExpired', 'VerificationFailed', ['VG_ECODE_EXPIRED']],
  ['CodeExhausted', 'VerificationFailed', ['VG_ECODE_EXHAUSTED']],
  ['RateLimited', 'AccountError', ['VG_ERATE_LIMITED']],
  ['TokenError', 'AccountError', []],
  ['TokenInvalid', 'TokenError', ['VG_ETOKEN_INVALID']],
  ['TokenExpired', 'TokenError', ['VG_ETOKEN_EXPIRED']],
  ['TokenRevoked', 'TokenError', ['VG_ETOKEN_REVOKED']],
  ['AccountDisabled', 'AccountError', ['VG_EACCOUNT_DISABLED']],
  ['EmailSendError', 'AccountError', ['VG_EEMAIL_SEND']],
  ['CacheError', 'VidgoError', []],
  ['CacheMiss', 'CacheError', ['VG_ECACHE_MISS']],
  ['DimensionMismatch', 'CacheError', ['VG_EDIMENSION']],
  ['InvalidPrompt', 'CacheError', []],
  ['PromptEmpty', 'InvalidPrompt', ['VG_EPROMPT_EMPTY']],
  ['PromptTooLong', 'InvalidPrompt', ['VG_EPROMPT_TOO_LONG']],
  ['ProviderError', 'VidgoError', ['VG_EPROVIDER']],
  ['ProviderAuthError', 'ProviderError', ['VG_EPROVIDER_AUTH']],
  ['ProviderRateLimited', 'ProviderError', ['VG_EPROVIDER_RATE']],
  ['ProviderUnavailable', 'ProviderError', ['VG_EPROVIDER_UNAVAILABLE']],
  ['NetworkError', 'ProviderUnavailable', ['VG_ENETWORK']],
  ['CircuitOpen', 'ProviderUnavailable', ['VG_ECIRCUIT_OPEN']],
  ['ProviderTimeout', 'ProviderError', ['VG_EPROVIDER_TIMEOUT']],
  ['ProviderResponseError', 'ProviderError', ['VG_EPROVIDER_RESPONSE']],
  ['ProviderRejected', 'ProviderError', ['VG_EPROVIDER_REJECTED']],
  ['OutcomeUnknown', 'ProviderError', ['VG_EOUTCOME_UNKNOWN']],
  ['NoApiKey', 'ProviderError', ['VG_ENO_API_KEY']],
  ['GenerationError', 'VidgoError', []],
  ['ModerationBlocked', 'GenerationError', ['VG_EMODERATION_BLOCKED']],
  ['JobStateError', 'GenerationError', ['VG_EJOB_STATE']],
  ['JobFailed', 'GenerationError', ['VG_EJOB_FAILED']],
  ['JobCancelled', 'GenerationError', ['VG_EJOB_CANCELLED']],
  ['PaidOnly', 'GenerationError', ['VG_EPAID_ONLY']],
  ['InputAssetError', 'GenerationError', ['VG_EINPUT_ASSET']],
  ['PaymentError', 'VidgoError', []],
  ['SignatureError', 'PaymentError', ['VG_ESIGNATURE']],
  ['ReplayError', 'SignatureError', ['VG_EREPLAY']],
  ['AmountMismatch', 'PaymentError', ['VG_EAMOUNT_MISMATCH']],
  ['MerchantMismatch', 'PaymentError', ['VG_EMERCHANT_MISMATCH']],
  ['OrderStateError', 'PaymentError', ['VG_EORDER_STATE']],
  ['PromoError', 'PaymentError', []],
  ['PromoInvalid', 'PromoError', ['VG_EPROMO_INVALID']],
  ['PromoExpired', 'PromoError', ['VG_EPROMO_EXPIRED']],
  ['PromoUsed', 'PromoError', ['VG_EPROMO_USED']],
  ['CurrencyError', 'PaymentError', ['VG_ECURRENCY']],
];

const classes = { VidgoError };
const byCode = new Map();
for (const [name, parent, codes] of HIERARCHY) {
  // A named class expression, so stack traces and err.name read "InsufficientCredits".
  const Class = { [name]: class extends classes[parent] {} }[name];
  classes[name] = Class;
  for (const code of codes) byCode.set(code, Class);
}

// The base class of each domain (-errno / 100), for codes newer than the table.
const BY_DOMAIN = ['VidgoError', 'StoreError', 'AccessDenied', 'CreditsError', 'AccountError',
  'CacheError', 'ProviderError', 'GenerationError', 'PaymentError'];

const CLOSED = 1; // the addon's errno for a closed handle (never a status code)

/** The class an errno (a vg_status) is raised as. */
function classFor(errno) {
  if (errno === CLOSED) return classes.ClosedError;
  const Class = byCode.get(native.error_name(errno));
  if (Class) return Class;
  const domain = errno < 0 ? Math.floor(-errno / 100) : 0;
  return classes[BY_DOMAIN[domain]] || VidgoError;
}

/** The error of a failed call: used by the addon for every rejection and throw. */
function makeError(errno, message, retryAfter, lang) {
  const Class = classFor(errno);
  const code = errno === CLOSED ? 'ERR_VIDGO_CLOSED' : native.error_name(errno);
  const user = errno === CLOSED ? message : native.strerror(errno, lang);
  const detail = message && message !== user ? message : '';
  const err = new Class(detail ? `${user} (${detail})` : user, errno, code, user, detail);
  if (Class === classes.RateLimited) err.retryAfter = retryAfter;
  return err;
}

native.setErrorFactory(makeError);

/** Every status code the loaded library knows: [{ errno, code }], VG_OK first. */
function allCodes() {
  return native.constants().errors;
}

let errnoByCode;

/** The error of the status named `code` ('VG_ETIMEOUT'), for a failure found in JS. */
function errorOf(code, detail, lang) {
  errnoByCode ??= new Map(allCodes().map((c) => [c.code, c.errno]));
  return makeError(errnoByCode.get(code), detail, 0, lang);
}

module.exports = { ...classes, classFor, makeError, errorOf, allCodes };
